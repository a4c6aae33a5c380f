//! The manifest model: what `AndroidManifest.xml` declares, read by attribute resource id as Android
//! reads it.

use serde::Serialize;

use crate::axml::{Document, Element, Value};

/// Attribute resource ids of the `android:` attributes the model reads (from the platform's
/// `public.xml`; stable since they were introduced).
pub mod attr {
    /// android:label
    pub const LABEL: u32 = 0x0101_0001;
    /// android:name
    pub const NAME: u32 = 0x0101_0003;
    /// android:permission
    pub const PERMISSION: u32 = 0x0101_0006;
    /// android:protectionLevel
    pub const PROTECTION_LEVEL: u32 = 0x0101_0009;
    /// android:enabled
    pub const ENABLED: u32 = 0x0101_000e;
    /// android:debuggable
    pub const DEBUGGABLE: u32 = 0x0101_000f;
    /// android:exported
    pub const EXPORTED: u32 = 0x0101_0010;
    /// android:value
    pub const VALUE: u32 = 0x0101_0024;
    /// android:resource
    pub const RESOURCE: u32 = 0x0101_0025;
    /// android:minSdkVersion
    pub const MIN_SDK: u32 = 0x0101_020c;
    /// android:versionCode
    pub const VERSION_CODE: u32 = 0x0101_021b;
    /// android:versionName
    pub const VERSION_NAME: u32 = 0x0101_021c;
    /// android:targetSdkVersion
    pub const TARGET_SDK: u32 = 0x0101_0270;
    /// android:maxSdkVersion
    pub const MAX_SDK: u32 = 0x0101_0271;
    /// android:allowBackup
    pub const ALLOW_BACKUP: u32 = 0x0101_0280;
    /// android:required
    pub const REQUIRED: u32 = 0x0101_028e;
    /// android:usesCleartextTraffic
    pub const USES_CLEARTEXT_TRAFFIC: u32 = 0x0101_04ec;
    /// android:networkSecurityConfig
    pub const NETWORK_SECURITY_CONFIG: u32 = 0x0101_0527;
    /// android:targetSandboxVersion
    pub const TARGET_SANDBOX_VERSION: u32 = 0x0101_054c;
}

/// A requested permission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsesPermission {
    /// Permission name.
    pub name: String,
    /// Requested only up to this SDK level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_sdk: Option<i64>,
    /// Declared with `uses-permission-sdk-23` (requested only on Android 6 and later).
    pub sdk23: bool,
}

/// A permission the app defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PermissionDecl {
    /// Permission name.
    pub name: String,
    /// Protection level as written (e.g. `0x2` for signature).
    pub protection_level: Option<String>,
}

/// A hardware or software feature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Feature {
    /// Feature name (None for an OpenGL ES version declaration).
    pub name: Option<String>,
    /// Whether it is required (default true).
    pub required: bool,
}

/// An intent filter of a component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct IntentFilter {
    /// Actions.
    pub actions: Vec<String>,
    /// Categories.
    pub categories: Vec<String>,
    /// Data schemes and hosts, as `scheme://host` or whatever parts are given.
    pub data: Vec<String>,
}

/// An activity, activity-alias, service, receiver or provider.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Component {
    /// activity, activity-alias, service, receiver or provider.
    pub kind: String,
    /// Class name, resolved against the package when it starts with '.'.
    pub name: String,
    /// The `exported` attribute as written.
    pub exported_attr: Option<bool>,
    /// Whether other apps can reach it: the attribute, or Android's default (intent filters
    /// export a component when targeting below Android 12; providers were exported by default
    /// up to API 16).
    pub exported: bool,
    /// Permission required to reach it.
    pub permission: Option<String>,
    /// Intent filters.
    pub intent_filters: Vec<IntentFilter>,
}

/// The `<application>` flags that widen exposure.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Application {
    /// android:label, as text or a resource reference.
    pub label: Option<String>,
    /// android:debuggable.
    pub debuggable: Option<bool>,
    /// android:allowBackup (Android's default is true).
    pub allow_backup: Option<bool>,
    /// android:usesCleartextTraffic.
    pub uses_cleartext_traffic: Option<bool>,
    /// android:networkSecurityConfig (a resource reference).
    pub network_security_config: Option<String>,
}

/// A `<meta-data>` entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetaData {
    /// Name.
    pub name: String,
    /// Value (or resource), as text.
    pub value: Option<String>,
}

/// What the manifest declares.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Manifest {
    /// Package name.
    pub package: Option<String>,
    /// android:versionCode.
    pub version_code: Option<i64>,
    /// android:versionName (a resource reference is shown as `@0x…` until resolved).
    pub version_name: Option<String>,
    /// uses-sdk minSdkVersion as a number (None when absent or a codename).
    pub min_sdk: Option<i64>,
    /// uses-sdk minSdkVersion when it is a preview platform's codename ("VanillaIceCream").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_sdk_codename: Option<String>,
    /// uses-sdk targetSdkVersion as a number (None when absent or a codename).
    pub target_sdk: Option<i64>,
    /// uses-sdk targetSdkVersion when it is a codename.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_sdk_codename: Option<String>,
    /// uses-sdk maxSdkVersion.
    pub max_sdk: Option<i64>,
    /// android:targetSandboxVersion of the manifest (2 and up need APK Signature Scheme v2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_sandbox_version: Option<i64>,
    /// uses-permission and uses-permission-sdk-23, in order.
    pub uses_permissions: Vec<UsesPermission>,
    /// permission declarations.
    pub permissions: Vec<PermissionDecl>,
    /// uses-feature.
    pub features: Vec<Feature>,
    /// application flags.
    pub application: Application,
    /// Components.
    pub components: Vec<Component>,
    /// Application-level meta-data.
    pub meta_data: Vec<MetaData>,
}

fn text(v: Option<&Value>) -> Option<String> {
    v.map(|v| match v {
        Value::Reference(r) => format!("@0x{r:08x}"),
        other => other.as_text().unwrap_or_default(),
    })
}

fn boolean(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => s.parse().ok(),
        Value::Int(i) => Some(*i != 0),
        _ => None,
    }
}

/// The API level Android gives a platform codename in `uses-sdk` (`Build.VERSION_CODES
/// .CUR_DEVELOPMENT`): newer than every release. Only a preview platform of that codename installs
/// such an app; release platforms refuse it.
pub const CUR_DEVELOPMENT: i64 = 10_000;

/// A uses-sdk level as written: a number (an integer, or a string of digits), or a codename (any
/// other string, as `FrameworkParsingPackageUtils` reads it; a `.fingerprint` suffix is dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
enum SdkLevel {
    Number(i64),
    Codename(String),
}

fn sdk_level(v: Option<&Value>) -> Option<SdkLevel> {
    let v = v?;
    if let Some(n) = v.as_int() {
        return Some(SdkLevel::Number(n));
    }
    match v {
        Value::String(s) if !s.trim().is_empty() => {
            let name = s.trim();
            let name = name.split_once('.').map_or(name, |(n, _)| n);
            Some(SdkLevel::Codename(name.to_string()))
        }
        _ => None,
    }
}

fn number(level: &Option<SdkLevel>) -> Option<i64> {
    match level {
        Some(SdkLevel::Number(n)) => Some(*n),
        _ => None,
    }
}

fn codename(level: &Option<SdkLevel>) -> Option<String> {
    match level {
        Some(SdkLevel::Codename(c)) => Some(c.clone()),
        _ => None,
    }
}

fn class_name(package: Option<&str>, name: &str) -> String {
    match (name.strip_prefix('.'), package) {
        (Some(_), Some(p)) => format!("{p}{name}"),
        (None, Some(p)) if !name.contains('.') && !name.is_empty() => format!("{p}.{name}"),
        _ => name.to_string(),
    }
}

impl Manifest {
    /// Read the model from a parsed manifest document.
    pub fn from_document(doc: &Document) -> Manifest {
        let root = &doc.root;
        let mut m = Manifest {
            package: root.plain_attr("package").and_then(Value::as_text),
            version_code: root
                .android_attr(attr::VERSION_CODE, "versionCode")
                .and_then(Value::as_int),
            version_name: text(root.android_attr(attr::VERSION_NAME, "versionName")),
            target_sandbox_version: root
                .android_attr(attr::TARGET_SANDBOX_VERSION, "targetSandboxVersion")
                .and_then(Value::as_int),
            ..Manifest::default()
        };
        for e in root.elements() {
            match e.name.as_str() {
                // only the first uses-sdk that gives a level is read
                "uses-sdk"
                    if m.min_sdk.is_none()
                        && m.target_sdk.is_none()
                        && m.min_sdk_codename.is_none()
                        && m.target_sdk_codename.is_none() =>
                {
                    let min = sdk_level(e.android_attr(attr::MIN_SDK, "minSdkVersion"));
                    let target = sdk_level(e.android_attr(attr::TARGET_SDK, "targetSdkVersion"));
                    // as Android: a codename target with no minimum makes the minimum that codename
                    let min = match (&min, &target) {
                        (None, Some(SdkLevel::Codename(_))) => target.clone(),
                        _ => min,
                    };
                    m.min_sdk = number(&min);
                    m.min_sdk_codename = codename(&min);
                    m.target_sdk = number(&target);
                    m.target_sdk_codename = codename(&target);
                    m.max_sdk = number(&sdk_level(e.android_attr(attr::MAX_SDK, "maxSdkVersion")));
                }
                "uses-permission" | "uses-permission-sdk-23" | "uses-permission-sdk-m" => {
                    if let Some(name) = e.android_attr(attr::NAME, "name").and_then(Value::as_text)
                    {
                        m.uses_permissions.push(UsesPermission {
                            name,
                            max_sdk: e
                                .android_attr(attr::MAX_SDK, "maxSdkVersion")
                                .and_then(Value::as_int),
                            sdk23: e.name != "uses-permission",
                        });
                    }
                }
                "permission" => {
                    if let Some(name) = e.android_attr(attr::NAME, "name").and_then(Value::as_text)
                    {
                        m.permissions.push(PermissionDecl {
                            name,
                            protection_level: text(
                                e.android_attr(attr::PROTECTION_LEVEL, "protectionLevel"),
                            ),
                        });
                    }
                }
                "uses-feature" => m.features.push(Feature {
                    name: e.android_attr(attr::NAME, "name").and_then(Value::as_text),
                    required: boolean(e.android_attr(attr::REQUIRED, "required")).unwrap_or(true),
                }),
                "application" => m.read_application(e),
                _ => {}
            }
        }
        m
    }

    fn read_application(&mut self, app: &Element) {
        self.application = Application {
            label: text(app.android_attr(attr::LABEL, "label")),
            debuggable: boolean(app.android_attr(attr::DEBUGGABLE, "debuggable")),
            allow_backup: boolean(app.android_attr(attr::ALLOW_BACKUP, "allowBackup")),
            uses_cleartext_traffic: boolean(
                app.android_attr(attr::USES_CLEARTEXT_TRAFFIC, "usesCleartextTraffic"),
            ),
            network_security_config: text(
                app.android_attr(attr::NETWORK_SECURITY_CONFIG, "networkSecurityConfig"),
            ),
        };
        let target = self.effective_target_sdk();
        for e in app.elements() {
            let kind = e.name.as_str();
            if kind == "meta-data" {
                if let Some(name) = e.android_attr(attr::NAME, "name").and_then(Value::as_text) {
                    let value = text(
                        e.android_attr(attr::VALUE, "value")
                            .or_else(|| e.android_attr(attr::RESOURCE, "resource")),
                    );
                    self.meta_data.push(MetaData { name, value });
                }
                continue;
            }
            if !matches!(
                kind,
                "activity" | "activity-alias" | "service" | "receiver" | "provider"
            ) {
                continue;
            }
            let name = e
                .android_attr(attr::NAME, "name")
                .and_then(Value::as_text)
                .unwrap_or_default();
            let intent_filters: Vec<IntentFilter> = e
                .elements()
                .filter(|f| f.name == "intent-filter")
                .map(|f| {
                    let mut filter = IntentFilter::default();
                    for item in f.elements() {
                        let get = |id, n| item.android_attr(id, n).and_then(Value::as_text);
                        match item.name.as_str() {
                            "action" => filter.actions.extend(get(attr::NAME, "name")),
                            "category" => filter.categories.extend(get(attr::NAME, "name")),
                            "data" => {
                                let parts: Vec<String> = item
                                    .attributes
                                    .iter()
                                    .filter_map(|a| {
                                        a.value.as_text().map(|v| format!("{}={v}", a.name))
                                    })
                                    .collect();
                                if !parts.is_empty() {
                                    filter.data.push(parts.join(" "));
                                }
                            }
                            _ => {}
                        }
                    }
                    filter
                })
                .collect();
            let exported_attr = boolean(e.android_attr(attr::EXPORTED, "exported"));
            let exported = exported_attr.unwrap_or(if kind == "provider" {
                target <= 16
            } else {
                !intent_filters.is_empty() && target < 31
            });
            self.components.push(Component {
                kind: kind.to_string(),
                name: class_name(self.package.as_deref(), &name),
                exported_attr,
                exported,
                permission: e
                    .android_attr(attr::PERMISSION, "permission")
                    .and_then(Value::as_text),
                intent_filters,
            });
        }
    }

    /// The minimum SDK Android applies: the declared one, [`CUR_DEVELOPMENT`] for a codename,
    /// else 1.
    pub fn effective_min_sdk(&self) -> i64 {
        match (self.min_sdk, &self.min_sdk_codename) {
            (Some(n), _) => n,
            (None, Some(_)) => CUR_DEVELOPMENT,
            (None, None) => 1,
        }
    }

    /// The target SDK Android applies: the declared target ([`CUR_DEVELOPMENT`] for a
    /// codename), else the minimum as Android applies it.
    pub fn effective_target_sdk(&self) -> i64 {
        match (self.target_sdk, &self.target_sdk_codename) {
            (Some(n), _) => n,
            (None, Some(_)) => CUR_DEVELOPMENT,
            (None, None) => self.effective_min_sdk(),
        }
    }

    /// Every permission the app holds a request for, as Android grants them: the declared
    /// `uses-permission` and `uses-permission-sdk-23` names plus the permissions Android implies for
    /// old targets (WRITE_EXTERNAL_STORAGE and READ_PHONE_STATE below API 4; READ_EXTERNAL_STORAGE with
    /// WRITE_EXTERNAL_STORAGE; the call-log permissions with the contacts ones below API 16). Sorted.
    pub fn requested_permissions(&self) -> Vec<String> {
        let mut set: std::collections::BTreeSet<String> = self
            .uses_permissions
            .iter()
            .map(|p| p.name.clone())
            .collect();
        for (name, _) in self.implied_permissions() {
            set.insert(name.to_string());
        }
        set.into_iter().collect()
    }

    /// Permissions Android adds for old targets, with the reason.
    pub fn implied_permissions(&self) -> Vec<(&'static str, &'static str)> {
        const WRITE: &str = "android.permission.WRITE_EXTERNAL_STORAGE";
        const READ: &str = "android.permission.READ_EXTERNAL_STORAGE";
        let target = self.effective_target_sdk();
        let has = |n: &str| self.uses_permissions.iter().any(|p| p.name == n);
        let mut out = Vec::new();
        if target < 4 {
            if !has(WRITE) {
                out.push((WRITE, "targetSdkVersion < 4"));
            }
            if !has("android.permission.READ_PHONE_STATE") {
                out.push((
                    "android.permission.READ_PHONE_STATE",
                    "targetSdkVersion < 4",
                ));
            }
        }
        if (has(WRITE) || target < 4) && !has(READ) {
            out.push((READ, "requested WRITE_EXTERNAL_STORAGE"));
        }
        if target < 16 {
            if has("android.permission.READ_CONTACTS") && !has("android.permission.READ_CALL_LOG") {
                out.push((
                    "android.permission.READ_CALL_LOG",
                    "targetSdkVersion < 16 and READ_CONTACTS",
                ));
            }
            if has("android.permission.WRITE_CONTACTS") && !has("android.permission.WRITE_CALL_LOG")
            {
                out.push((
                    "android.permission.WRITE_CALL_LOG",
                    "targetSdkVersion < 16 and WRITE_CONTACTS",
                ));
            }
        }
        out
    }
}
