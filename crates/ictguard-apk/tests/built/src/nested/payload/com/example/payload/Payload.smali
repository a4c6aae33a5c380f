.class public Lcom/example/payload/Payload;
.super Ljava/lang/Object;

.method public static url()Ljava/lang/String;
    .registers 1
    const-string v0, "http://203.0.113.7:8080/beacon"
    return-object v0
.end method
