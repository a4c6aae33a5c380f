.class public Lcom/example/clean/Main;
.super Landroid/app/Activity;

.method public static api()Ljava/lang/String;
    .registers 1
    const-string v0, "https://api.example.com/v2/status"
    return-object v0
.end method
