.class public Lcom/example/preview/Main;
.super Landroid/app/Activity;

.method public static channel()Ljava/lang/String;
    .registers 1
    const-string v0, "preview"
    return-object v0
.end method
