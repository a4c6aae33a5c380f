.class public Lcom/example/nested/Main;
.super Landroid/app/Activity;
