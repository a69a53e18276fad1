//! CBS (2017-03-12): what its disks add to the generic family (`CreateDisks`, `DescribeDisks`,
//! `TerminateDisks`): the documented `DiskState`s and one instance at a time. A new disk is
//! `UNATTACHED`; `AttachDisks` takes it `ATTACHING` -> `ATTACHED` to an existing CVM instance
//! of its zone, `DetachDisks` `DETACHING` -> `UNATTACHED`, each taking the configured delay,
//! with `Attached`, `InstanceId` and `LastAttachInsId` following; when the instance is
//! terminated the disk is `UNATTACHED` again, or gone with it if `DeleteWithInstance`. The codes are those the
//! official Go SDK documents for these actions: an unknown instance
//! `InvalidInstanceId.NotFound`, another zone `ResourceUnavailable.ZoneNotMatch`, a disk already
//! attached `ResourceUnavailable.Attached`, one in transition `ResourceBusy`, detaching or
//! terminating a disk in the wrong state `ResourceUnavailable.NotSupported`.

use std::time::Duration;

use serde_json::{Map, Value};

use super::cvm;
use super::resources::{Acting, Behaviour, Deletion};
use crate::error::ApiError;
use crate::params::field_str;
use crate::store::{Resource, Tables};

/// The field holding when a transitional state ends (Unix ms); not a member of `Disk`.
const UNTIL: &str = "EmulatorStateUntil";

/// CBS disks: attached to one instance at a time, states that take `delay`.
pub(crate) struct Disks {
    pub(crate) delay: Duration,
}

fn zone(fields: &Map<String, Value>) -> Option<&str> {
    fields.get("Placement").and_then(|p| p.get("Zone")).and_then(Value::as_str)
}

/// The state a disk is in at `now_ms`: a transitional one ends at its `UNTIL`; one whose
/// instance is gone is `UNATTACHED` again, or gone with it (`GONE`, never answered) when it
/// was to be deleted with it.
fn state_at(tables: &Tables, region: &str, fields: &Map<String, Value>, now_ms: i64) -> String {
    let state = field_str(fields, "DiskState").unwrap_or("UNATTACHED");
    let done = fields.get(UNTIL).and_then(Value::as_i64).is_none_or(|until| now_ms >= until);
    let state = match state {
        "ATTACHING" if done => "ATTACHED",
        "DETACHING" if done => "UNATTACHED",
        s => s,
    };
    let on = field_str(fields, "InstanceId").unwrap_or("");
    if state != "UNATTACHED" && cvm::instance(tables, region, on, now_ms).is_none() {
        let with = fields.get("DeleteWithInstance").is_some_and(|v| v == true || v == "true");
        return if with { "GONE" } else { "UNATTACHED" }.to_owned();
    }
    state.to_owned()
}

fn error(code: &str, message: String) -> ApiError {
    ApiError::new(code, message)
}

impl Disks {
    fn enter(&self, r: &mut Resource, state: &str, now_ms: i64) {
        let delay = i64::try_from(self.delay.as_millis()).unwrap_or(i64::MAX / 2);
        r.fields.insert("DiskState".to_owned(), Value::from(state));
        r.fields.insert(UNTIL.to_owned(), Value::from(now_ms.saturating_add(delay)));
    }

    fn attach(&self, a: &Acting<'_>, r: &mut Resource) -> Result<(), ApiError> {
        let id = field_str(a.params, "InstanceId").ok_or_else(|| ApiError::missing("InstanceId"))?;
        let instance = cvm::instance(a.tables, a.region, id, a.now_ms)
            .ok_or_else(|| error("InvalidInstanceId.NotFound", format!("The instance `{id}` does not exist.")))?;
        match state_at(a.tables, a.region, &r.fields, a.now_ms).as_str() {
            "UNATTACHED" => {}
            "ATTACHED" => {
                let on = field_str(&r.fields, "InstanceId").unwrap_or("");
                let msg = format!("The disk `{}` is already attached to the instance `{on}`.", r.id);
                return Err(error("ResourceUnavailable.Attached", msg));
            }
            s => return Err(error("ResourceBusy", format!("The disk `{}` is {s}; try again later.", r.id))),
        }
        let (disk_zone, instance_zone) = (zone(&r.fields), zone(&instance));
        if disk_zone != instance_zone {
            let msg = format!(
                "The disk `{}` is in `{}`, the instance `{id}` in `{}`.",
                r.id,
                disk_zone.unwrap_or("?"),
                instance_zone.unwrap_or("?")
            );
            return Err(error("ResourceUnavailable.ZoneNotMatch", msg));
        }
        self.enter(r, "ATTACHING", a.now_ms);
        r.fields.insert("InstanceId".to_owned(), Value::from(id));
        r.fields.insert("LastAttachInsId".to_owned(), Value::from(id));
        if let Some(d) = a.params.get("DeleteWithInstance") {
            r.fields.insert("DeleteWithInstance".to_owned(), d.clone());
        }
        Ok(())
    }

    fn detach(&self, a: &Acting<'_>, r: &mut Resource) -> Result<(), ApiError> {
        match state_at(a.tables, a.region, &r.fields, a.now_ms).as_str() {
            "ATTACHED" => {}
            "UNATTACHED" => {
                let msg = format!("The disk `{}` is not attached.", r.id);
                return Err(error("ResourceUnavailable.NotSupported", msg));
            }
            s => return Err(error("ResourceBusy", format!("The disk `{}` is {s}; try again later.", r.id))),
        }
        let on = field_str(&r.fields, "InstanceId").unwrap_or("").to_owned();
        if let Some(asked) = field_str(a.params, "InstanceId").filter(|i| *i != on) {
            return Err(ApiError::invalid_value(
                "InstanceId",
                &format!("the disk `{}` is attached to `{on}`, not `{asked}`", r.id),
            ));
        }
        self.enter(r, "DETACHING", a.now_ms);
        Ok(())
    }
}

impl Behaviour for Disks {
    fn family(&self) -> (&'static str, &'static str) {
        ("cbs", "Disk")
    }

    fn create(&self, _: &Tables, _: &str, fields: &mut Map<String, Value>, _: i64) -> Result<(), ApiError> {
        for (k, v) in [
            ("DiskState", Value::from("UNATTACHED")),
            ("Attached", Value::Bool(false)),
            ("InstanceId", Value::from("")),
            ("Portable", Value::Bool(true)),
            ("DiskUsage", Value::from("DATA_DISK")),
            ("DeleteWithInstance", Value::Bool(false)),
        ] {
            fields.insert(k.to_owned(), v);
        }
        Ok(())
    }

    fn verbs(&self) -> &'static [&'static str] {
        &["AttachDisks", "DetachDisks"]
    }

    fn act(&self, a: &Acting<'_>, r: &mut Resource) -> Result<Option<Map<String, Value>>, ApiError> {
        match a.action {
            "AttachDisks" => self.attach(a, r)?,
            _ => self.detach(a, r)?,
        }
        Ok(None)
    }

    /// `TerminateDisks`: only an unattached disk.
    fn delete(&self, a: &Acting<'_>, r: &mut Resource) -> Result<Deletion, ApiError> {
        match state_at(a.tables, a.region, &r.fields, a.now_ms).as_str() {
            "UNATTACHED" => Ok(Deletion::Remove),
            s => Err(error(
                "ResourceUnavailable.NotSupported",
                format!("The disk `{}` is {s}; detach it before terminating it.", r.id),
            )),
        }
    }

    fn exists(&self, tables: &Tables, region: &str, fields: &Map<String, Value>, now_ms: i64) -> bool {
        state_at(tables, region, fields, now_ms) != "GONE"
    }

    fn describe(&self, tables: &Tables, region: &str, fields: &mut Map<String, Value>, now_ms: i64) {
        let state = state_at(tables, region, fields, now_ms);
        let attached = matches!(state.as_str(), "ATTACHED" | "DETACHING");
        if state == "UNATTACHED" {
            fields.insert("InstanceId".to_owned(), Value::from(""));
        }
        fields.insert("Attached".to_owned(), Value::Bool(attached));
        fields.insert("DiskState".to_owned(), Value::from(state));
    }
}
