.class public Lcom/example/localized/Main;
.super Landroid/app/Activity;
