.class public Lcom/example/tencent/Main;
.super Landroid/app/Activity;
