.class public Lcom/umeng/analytics/MobclickAgent;
.super Ljava/lang/Object;

.method public static onResume(Landroid/content/Context;)V
    .registers 1
    return-void
.end method
