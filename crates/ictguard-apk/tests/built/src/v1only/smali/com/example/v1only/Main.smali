.class public Lcom/example/v1only/Main;
.super Landroid/app/Activity;
