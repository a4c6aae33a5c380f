.class public Lcom/intsig/camscanner/Main;
.super Landroid/app/Activity;
