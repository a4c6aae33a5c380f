.class public Lcom/example/plugin/Plugin;
.super Ljava/lang/Object;

.method public static host()Ljava/lang/String;
    .registers 1
    const-string v0, "plugin.example.ru"
    return-object v0
.end method
