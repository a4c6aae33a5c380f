#!/usr/bin/env python3
"""Deterministic sources for the large benchmark APK (called by bench/make_large_apk.sh).

  gen.py code DIR [--classes N] [--shards K] [--urls U] [--seed S]
      DIR/AndroidManifest.xml, DIR/res/values/strings.xml and DIR/smali/shardK/**.smali:
      N small classes (default 40,000) spread over K DEX shards (default 8, so each DEX stays far
      below the 65,536 method-reference limit), about 60% in the app's own packages, 15% in
      obfuscated one-letter packages, 25% in real SDK packages (Umeng, Facebook Audience Network,
      Firebase Analytics, Pangle, Bugly, AppsFlyer, AdMob, and trackerless libraries such as
      androidx, kotlin, okhttp3, gson); U string constants that are URLs (default 3,000);
      the manifest declares a few SDK components whose classes exist.
  gen.py blob FILE BYTES [--seed S]
      FILE filled with BYTES pseudo-random (incompressible) bytes from a seeded generator.

Everything is a function of the seed (default 20240607): the same arguments give the same files.
"""
import argparse
import os
import random
import sys

APP = "com.example.megaapp"

# (package, weight) for the SDK share of classes; the first group of each vendor has fixed classes
SDK_PACKAGES = [
    # Umeng (Alibaba), Exodus "Umeng Analytics"
    ("com.umeng.analytics", 3), ("com.umeng.analytics.pro", 6), ("com.umeng.commonsdk", 4),
    ("com.umeng.commonsdk.statistics.common", 3), ("com.umeng.message", 2),
    # Facebook Audience Network, Exodus "Facebook Ads", plus app events / login
    ("com.facebook.ads", 3), ("com.facebook.ads.internal", 6), ("com.facebook.ads.internal.view", 4),
    ("com.facebook.appevents", 3), ("com.facebook.login", 2),
    # Firebase Analytics and Crashlytics
    ("com.google.firebase.analytics", 1), ("com.google.android.gms.measurement.internal", 6),
    ("com.google.firebase.crashlytics.internal", 3), ("com.google.firebase.messaging", 2),
    # Pangle (ByteDance)
    ("com.bytedance.sdk.openadsdk", 3), ("com.bytedance.sdk.openadsdk.core", 8),
    ("com.bytedance.sdk.openadsdk.activity", 1), ("com.bytedance.sdk.component.net", 3),
    # Tencent Bugly
    ("com.tencent.bugly.crashreport", 2), ("com.tencent.bugly.proguard", 4),
    # AppsFlyer
    ("com.appsflyer", 2), ("com.appsflyer.internal", 4),
    # AdMob
    ("com.google.android.gms.ads", 2), ("com.google.android.gms.ads.internal", 6),
    # trackerless libraries
    ("androidx.appcompat.app", 4), ("androidx.core.view", 5), ("androidx.recyclerview.widget", 5),
    ("kotlin.collections", 6), ("kotlinx.coroutines.internal", 5), ("okhttp3", 3),
    ("okhttp3.internal.http2", 3), ("com.google.gson.internal", 3), ("retrofit2", 2),
]

# fixed classes: (java name, superclass descriptor)
FIXED = [
    (f"{APP}.App", "Landroid/app/Application;"),
    (f"{APP}.MainActivity", "Landroid/app/Activity;"),
    (f"{APP}.sync.SyncService", "Landroid/app/Service;"),
    ("com.umeng.analytics.MobclickAgent", "Ljava/lang/Object;"),
    ("com.umeng.commonsdk.UMConfigure", "Ljava/lang/Object;"),
    ("com.facebook.ads.AudienceNetworkActivity", "Landroid/app/Activity;"),
    ("com.facebook.ads.AudienceNetworkAds", "Ljava/lang/Object;"),
    ("com.google.firebase.analytics.FirebaseAnalytics", "Ljava/lang/Object;"),
    ("com.bytedance.sdk.openadsdk.TTAdSdk", "Ljava/lang/Object;"),
    ("com.bytedance.sdk.openadsdk.activity.TTLandingPageActivity", "Landroid/app/Activity;"),
    ("com.bytedance.sdk.openadsdk.core.multipro.aidl.BinderPoolService", "Landroid/app/Service;"),
    ("com.tencent.bugly.crashreport.CrashReport", "Ljava/lang/Object;"),
    ("com.appsflyer.AppsFlyerLib", "Ljava/lang/Object;"),
    ("com.google.android.gms.ads.AdActivity", "Landroid/app/Activity;"),
    ("com.google.android.gms.ads.MobileAds", "Ljava/lang/Object;"),
]

FEATURES = ["feed", "profile", "search", "player", "camera", "chat", "shop", "live", "settings",
            "login", "share", "upload", "editor", "music", "map", "wallet", "notify", "ads", "im",
            "comment", "discover", "story", "effects", "downloader", "network", "storage"]
LAYERS = ["ui", "model", "data", "repo", "util", "widget", "api", "cache", "di", "view", "vm",
          "adapter", "task", "proto"]
WORDS = ["Feed", "Item", "View", "Holder", "Manager", "Helper", "Adapter", "Presenter", "Model",
         "Repository", "Cache", "Loader", "Request", "Response", "Callback", "Listener", "Fragment",
         "Config", "Factory", "Provider", "Handler", "Task", "Worker", "Util", "Client", "Session",
         "Event", "Tracker", "Store", "State", "Reducer", "Parser", "Encoder", "Decoder", "Buffer",
         "Stream", "Video", "Audio", "Image", "User", "Comment", "Like", "Share", "Upload", "Player",
         "Effect", "Filter", "Render", "Layout", "Panel", "Dialog", "Sheet", "Banner", "Card"]

APP_HOSTS = ["api.megaapp.example", "cdn.megaapp.example", "log.megaapp.example",
             "img.megaapp.example", "upload.megaapp.example"]
SDK_HOSTS = ["alog.umeng.com", "ulogs.umeng.com", "graph.facebook.com", "www.facebook.com",
             "app-measurement.com", "firebaselogging-pa.googleapis.com",
             "api-access.pangolin-sdk-toutiao.com", "log.snssdk.com", "android.bugly.qq.com",
             "t.appsflyer.com", "googleads.g.doubleclick.net", "pagead2.googlesyndication.com",
             "www.google-analytics.com", "sentry.io", "api.example.org", "static.example.net"]


def java_to_desc(name):
    return "L" + name.replace(".", "/") + ";"


def make_classes(rng, n):
    """N (java name, superclass descriptor or None) pairs, unique, deterministic."""
    names = {}
    for name, sup in FIXED:
        names[name] = sup
    sdk_pk = [p for p, _ in SDK_PACKAGES]
    sdk_w = [w for _, w in SDK_PACKAGES]
    letters = "abcdefghijklmnopqrstuvwxyz"
    while len(names) < n:
        r = rng.random()
        if r < 0.60:
            pkg = f"{APP}.{rng.choice(FEATURES)}.{rng.choice(LAYERS)}"
            simple = "".join(rng.choice(WORDS) for _ in range(rng.randint(2, 3)))
            if rng.random() < 0.25:  # inner classes and lambdas
                simple += rng.choice(["$1", "$2", "$Companion", "$Builder", "$ViewHolder"])
        elif r < 0.75:
            pkg = ".".join(rng.choice(letters) for _ in range(rng.randint(1, 3)))
            simple = "".join(rng.choice(letters) for _ in range(rng.randint(1, 2)))
            simple = simple[0].upper() + simple[1:] if rng.random() < 0.3 else simple
        else:
            pkg = rng.choices(sdk_pk, sdk_w)[0]
            simple = "".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))
            if pkg.startswith(("com.umeng.analytics.pro", "com.tencent.bugly.proguard")):
                simple = "".join(rng.choice(letters) for _ in range(rng.randint(1, 2)))
        name = f"{pkg}.{simple}"
        if name not in names:
            names[name] = None
    return list(names.items())


def smali_class(rng, name, sup, index, same_shard, other_shard, url):
    """One class; its superclass (if not fixed) is Object or a class earlier in the same shard,
    so the hierarchy has no cycles."""
    desc = java_to_desc(name)
    simple = name.rsplit(".", 1)[1]
    if sup is None:
        sup = rng.choice(same_shard[:index]) if index and rng.random() < 0.3 \
            else "Ljava/lang/Object;"
    out = [f".class public {desc}", f".super {sup}", f'.source "{simple.split("$")[0]}.java"', ""]
    out.append(f'.field public static final TAG:Ljava/lang/String; = "{simple}"')
    field_types = ["I", "J", "Z", "Ljava/lang/String;", "Ljava/util/List;"]
    nfields = rng.randint(0, 4)
    for i in range(nfields):
        t = rng.choice(field_types + ([rng.choice(same_shard)] if same_shard else []))
        out.append(f".field private f{i}:{t}")
    out += ["", ".method public constructor <init>()V", "    .registers 1",
            f"    invoke-direct {{p0}}, {sup}-><init>()V", "    return-void", ".end method", ""]
    # every class has a static helper the others call
    out += [".method public static h(Ljava/lang/String;)I", "    .registers 2",
            "    invoke-virtual {p0}, Ljava/lang/String;->length()I", "    move-result v0",
            "    return v0", ".end method", ""]
    for m in range(rng.randint(1, 5)):
        target = (rng.choice(other_shard) if other_shard and rng.random() < 0.1
                  else rng.choice(same_shard) if same_shard else desc)
        text = url if (url and m == 0) else f"{simple}.m{m}:{rng.getrandbits(32):08x}"
        out += [f".method public m{m}(I)I", "    .registers 4",
                f'    const-string v0, "{text}"',
                f"    invoke-static {{v0}}, {target}->h(Ljava/lang/String;)I",
                "    move-result v1",
                "    add-int/2addr v1, p1",
                f"    const/16 v2, {rng.randint(1, 30000)}",
                "    mul-int/2addr v1, v2",
                "    return v1", ".end method", ""]
    return "\n".join(out) + "\n"


def make_url(rng, name):
    host = rng.choice(SDK_HOSTS) if not name.startswith(APP) or rng.random() < 0.2 \
        else rng.choice(APP_HOSTS)
    path = "/".join(rng.choice(["v1", "v2", "api", "log", "report", "config", "ad", "feed", "item",
                                "user", "batch", "collect", "sdk", "event"])
                    for _ in range(rng.randint(1, 4)))
    q = f"?id={rng.getrandbits(24)}" if rng.random() < 0.3 else ""
    return f"https://{host}/{path}{q}"


MANIFEST = f"""<?xml version="1.0" encoding="utf-8"?>
<!-- Synthetic benchmark app built by bench/make_large_apk.sh: tens of thousands of classes from
     real SDK packages, native libraries and assets; nothing in it runs. -->
<manifest xmlns:android="http://schemas.android.com/apk/res/android"
    package="{APP}"
    android:versionCode="104000"
    android:versionName="10.4.0-bench">
    <uses-sdk android:minSdkVersion="24" android:targetSdkVersion="34" />
    <uses-permission android:name="android.permission.INTERNET" />
    <uses-permission android:name="android.permission.ACCESS_NETWORK_STATE" />
    <uses-permission android:name="android.permission.ACCESS_FINE_LOCATION" />
    <uses-permission android:name="android.permission.ACCESS_COARSE_LOCATION" />
    <uses-permission android:name="android.permission.CAMERA" />
    <uses-permission android:name="android.permission.RECORD_AUDIO" />
    <uses-permission android:name="android.permission.READ_CONTACTS" />
    <uses-permission android:name="android.permission.READ_PHONE_STATE" />
    <uses-permission android:name="android.permission.READ_EXTERNAL_STORAGE" />
    <uses-permission android:name="android.permission.POST_NOTIFICATIONS" />
    <uses-permission android:name="com.google.android.gms.permission.AD_ID" />
    <application android:name=".App" android:label="@string/app_name" android:allowBackup="false"
        android:extractNativeLibs="false">
        <activity android:name=".MainActivity" android:exported="true">
            <intent-filter>
                <action android:name="android.intent.action.MAIN" />
                <category android:name="android.intent.category.LAUNCHER" />
            </intent-filter>
        </activity>
        <service android:name=".sync.SyncService" android:exported="false" />
        <activity android:name="com.facebook.ads.AudienceNetworkActivity" android:exported="false" />
        <activity android:name="com.bytedance.sdk.openadsdk.activity.TTLandingPageActivity"
            android:exported="false" />
        <service android:name="com.bytedance.sdk.openadsdk.core.multipro.aidl.BinderPoolService"
            android:exported="false" />
        <activity android:name="com.google.android.gms.ads.AdActivity" android:exported="false" />
    </application>
</manifest>
"""


def cmd_code(a):
    rng = random.Random(a.seed)
    classes = make_classes(rng, a.classes)
    rng.shuffle(classes)
    shards = [classes[i::a.shards] for i in range(a.shards)]
    # the fixed classes (manifest components) go to the first DEX, as a build tool would
    fixed = {n for n, _ in FIXED}
    first = [c for c in classes if c[0] in fixed]
    shards = [[c for c in s if c[0] not in fixed] for s in shards]
    shards[0] = first + shards[0]
    descs = [[java_to_desc(n) for n, _ in s] for s in shards]
    url_classes = set(n for n, _ in rng.sample(classes, min(a.urls, len(classes))))
    os.makedirs(os.path.join(a.dir, "res", "values"), exist_ok=True)
    with open(os.path.join(a.dir, "AndroidManifest.xml"), "w") as fh:
        fh.write(MANIFEST)
    with open(os.path.join(a.dir, "res", "values", "strings.xml"), "w") as fh:
        fh.write('<?xml version="1.0" encoding="utf-8"?>\n<resources>\n'
                 '    <string name="app_name">MegaApp Bench</string>\n</resources>\n')
    for k, shard in enumerate(shards):
        other = descs[(k + 1) % len(descs)] if len(descs) > 1 else []
        for i, (name, sup) in enumerate(shard):
            rel = name.replace(".", "/") + ".smali"
            path = os.path.join(a.dir, "smali", f"shard{k}", rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            url = make_url(rng, name) if name in url_classes else None
            with open(path, "w") as fh:
                fh.write(smali_class(rng, name, sup, i, descs[k], other, url))
    print(f"{len(classes)} classes in {a.shards} shards, {len(url_classes)} URL constants",
          file=sys.stderr)


def cmd_blob(a):
    rng = random.Random(f"{a.seed}:{os.path.basename(a.file)}")
    left = a.bytes
    with open(a.file, "wb") as fh:
        while left > 0:
            n = min(left, 1 << 20)
            fh.write(rng.randbytes(n))
            left -= n


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sp = p.add_subparsers(dest="cmd", required=True)
    c = sp.add_parser("code")
    c.add_argument("dir")
    c.add_argument("--classes", type=int, default=40000)
    c.add_argument("--shards", type=int, default=8)
    c.add_argument("--urls", type=int, default=3000)
    c.add_argument("--seed", default="20240607")
    b = sp.add_parser("blob")
    b.add_argument("file")
    b.add_argument("bytes", type=int)
    b.add_argument("--seed", default="20240607")
    a = p.parse_args()
    cmd_code(a) if a.cmd == "code" else cmd_blob(a)


if __name__ == "__main__":
    main()
