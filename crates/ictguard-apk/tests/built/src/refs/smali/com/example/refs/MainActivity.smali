.class public Lcom/example/refs/MainActivity;
.super Landroid/app/Activity;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method public endpoint()Ljava/lang/String;
    .registers 2
    const-string v0, "https://collect.example.cn/v1/upload"
    invoke-static {p0}, Lcom/umeng/analytics/MobclickAgent;->onResume(Landroid/content/Context;)V
    return-object v0
.end method
