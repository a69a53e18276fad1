//! The resources the emulator remembers, per service, region and kind, in creation order.
//!
//! A request's changes are computed from a read-only view ([`Store::update`]), written to the
//! journal when the state is kept on disk, and only then made visible: an answered change is
//! durable, and a change that could not be written is neither kept nor answered as done.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;
use std::path::Path;
use std::sync::Mutex;

use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::journal::Journal;
use crate::sync::lock;

/// One table of resources: a service's resources of one kind in one region.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct TableKey {
    pub(crate) service: String,
    pub(crate) region: String,
    pub(crate) kind: String,
}

/// A stored resource.
#[derive(Clone, PartialEq)]
pub(crate) struct Resource {
    pub(crate) id: String,
    /// Creation order across the whole store (never reused).
    pub(crate) seq: u64,
    /// Emulator clock at creation, Unix milliseconds.
    pub(crate) created_ms: i64,
    /// The resource's fields as the describe answers them (request parameters, the id, ...).
    pub(crate) fields: Map<String, Value>,
}

/// The hidden fields (`Emulator...`: a secret's versions, a key's material) are never shown.
impl std::fmt::Debug for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown: Map<String, Value> = self
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), if k.starts_with("Emulator") { Value::from("<hidden>") } else { v.clone() }))
            .collect();
        f.debug_struct("Resource")
            .field("id", &self.id)
            .field("seq", &self.seq)
            .field("created_ms", &self.created_ms)
            .field("fields", &shown)
            .finish()
    }
}

/// A change to the store: what the journal records.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Change {
    /// Creates or replaces a resource; `token` is the create's `ClientToken`.
    Put { table: TableKey, resource: Resource, token: Option<String> },
    /// Removes resources.
    Remove { table: TableKey, ids: Vec<String> },
    /// Marks a table as given its starting resources (fixtures are added once per region).
    Mark { table: TableKey },
    /// Forgets everything.
    Reset,
}

/// The resources of one table, in creation order.
#[derive(Debug, Default)]
pub(crate) struct Table {
    by_seq: BTreeMap<u64, Resource>,
    ids: HashMap<String, u64>,
}

impl Table {
    pub(crate) fn get(&self, id: &str) -> Option<&Resource> {
        self.by_seq.get(self.ids.get(id)?)
    }

    /// Every resource, oldest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Resource> {
        self.by_seq.values()
    }

    pub(crate) fn len(&self) -> usize {
        self.by_seq.len()
    }
}

/// Everything stored, without I/O: what a request reads and the journal replays into.
#[derive(Debug, Default)]
pub(crate) struct Tables {
    tables: BTreeMap<TableKey, Table>,
    tokens: HashMap<(TableKey, String), Vec<String>>,
    marked: BTreeSet<TableKey>,
    next_seq: u64,
}

impl Tables {
    /// Whether the table has been given its starting resources.
    pub(crate) fn marked(&self, key: &TableKey) -> bool {
        self.marked.contains(key)
    }

    pub(crate) fn table(&self, key: &TableKey) -> Option<&Table> {
        self.tables.get(key)
    }

    /// The ids a create with this `ClientToken` made, if one did.
    pub(crate) fn token(&self, key: &TableKey, token: &str) -> Option<&[String]> {
        self.tokens.get(&(key.clone(), token.to_owned())).map(Vec::as_slice)
    }

    /// The next creation sequence number.
    pub(crate) fn next_seq(&self) -> u64 {
        self.next_seq
    }

    pub(crate) fn apply(&mut self, change: Change) {
        match change {
            Change::Put { table, resource, token } => {
                self.next_seq = self.next_seq.max(resource.seq.saturating_add(1));
                if let Some(token) = token {
                    let ids = self.tokens.entry((table.clone(), token)).or_default();
                    if !ids.contains(&resource.id) {
                        ids.push(resource.id.clone());
                    }
                }
                let t = self.tables.entry(table).or_default();
                if let Some(old) = t.ids.insert(resource.id.clone(), resource.seq) {
                    t.by_seq.remove(&old);
                }
                t.by_seq.insert(resource.seq, resource);
            }
            Change::Remove { table, ids } => {
                if let Some(t) = self.tables.get_mut(&table) {
                    for id in ids {
                        if let Some(seq) = t.ids.remove(&id) {
                            t.by_seq.remove(&seq);
                        }
                    }
                    if t.by_seq.is_empty() {
                        self.tables.remove(&table);
                    }
                }
            }
            Change::Mark { table } => {
                self.marked.insert(table);
            }
            Change::Reset => {
                let next_seq = self.next_seq;
                *self = Tables { next_seq, ..Tables::default() };
            }
        }
    }

    /// The changes that rebuild this state (what a compacted journal holds).
    pub(crate) fn snapshot(&self) -> Vec<Change> {
        let mut token_of: HashMap<(&TableKey, &str), &str> = HashMap::new();
        for ((table, token), ids) in &self.tokens {
            for id in ids {
                token_of.insert((table, id), token);
            }
        }
        let marks = self.marked.iter().map(|t| Change::Mark { table: t.clone() });
        marks
            .chain(self.tables.iter().flat_map(|(key, t)| {
                let token_of = &token_of;
                t.iter().map(move |r| Change::Put {
                    table: key.clone(),
                    resource: r.clone(),
                    token: token_of.get(&(key, r.id.as_str())).map(|t| (*t).to_owned()),
                })
            }))
            .collect()
    }

    /// How many resources are stored.
    pub(crate) fn count(&self) -> usize {
        self.tables.values().map(Table::len).sum()
    }
}

struct Inner {
    data: Tables,
    journal: Option<Journal>,
}

/// The store: memory, and a journal on disk when the state is kept there.
pub(crate) struct Store {
    inner: Mutex<Inner>,
}

impl Store {
    /// A store in memory only.
    pub(crate) fn memory() -> Self {
        Store { inner: Mutex::new(Inner { data: Tables::default(), journal: None }) }
    }

    /// A store kept in `dir`: its journal replayed (a torn last record dropped) and compacted.
    pub(crate) fn open(dir: &Path) -> io::Result<Self> {
        let (mut journal, changes) = Journal::open(dir)?;
        let mut data = Tables::default();
        let replayed = changes.len();
        for c in changes {
            data.apply(c);
        }
        if replayed > data.count() * 2 + 64 {
            journal.compact(&data.snapshot())?;
        }
        tracing::info!(dir = %dir.display(), replayed, resources = data.count(), "emulator state loaded");
        Ok(Store { inner: Mutex::new(Inner { data, journal: Some(journal) }) })
    }

    /// Reads the state.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&Tables) -> R) -> R {
        f(&lock(&self.inner).data)
    }

    /// Computes changes from the state, makes them durable, then applies them; one request's
    /// changes are one journal record (all or none survive a crash).
    pub(crate) fn update<R>(
        &self,
        f: impl FnOnce(&Tables) -> Result<(Vec<Change>, R), ApiError>,
    ) -> Result<R, ApiError> {
        let mut inner = lock(&self.inner);
        let (changes, result) = f(&inner.data)?;
        if changes.is_empty() {
            return Ok(result);
        }
        if let Some(journal) = inner.journal.as_mut() {
            journal.append(&changes).map_err(|e| {
                tracing::error!("emulator state not written: {e}");
                ApiError::new("InternalError", format!("The emulator could not write its state: {e}."))
            })?;
        }
        for c in changes {
            inner.data.apply(c);
        }
        Ok(result)
    }
}

// ---- the journal's record form ----

fn key_json(t: &TableKey) -> Value {
    json!([t.service, t.region, t.kind])
}

fn key_from(v: &Value) -> Option<TableKey> {
    let [s, r, k] = v.as_array()?.as_slice() else { return None };
    Some(TableKey { service: s.as_str()?.to_owned(), region: r.as_str()?.to_owned(), kind: k.as_str()?.to_owned() })
}

impl Change {
    /// The change as JSON (one element of a journal record).
    pub(crate) fn to_json(&self) -> Value {
        match self {
            Change::Put { table, resource, token } => json!({
                "put": key_json(table),
                "id": resource.id,
                "seq": resource.seq,
                "at": resource.created_ms,
                "fields": resource.fields,
                "token": token,
            }),
            Change::Remove { table, ids } => json!({"remove": key_json(table), "ids": ids}),
            Change::Mark { table } => json!({"mark": key_json(table)}),
            Change::Reset => json!({"reset": true}),
        }
    }

    /// Reads a change written by [`Change::to_json`].
    pub(crate) fn from_json(v: &Value) -> Option<Change> {
        if let Some(k) = v.get("put") {
            return Some(Change::Put {
                table: key_from(k)?,
                resource: Resource {
                    id: v.get("id")?.as_str()?.to_owned(),
                    seq: v.get("seq")?.as_u64()?,
                    created_ms: v.get("at")?.as_i64()?,
                    fields: v.get("fields")?.as_object()?.clone(),
                },
                token: v.get("token").and_then(Value::as_str).map(str::to_owned),
            });
        }
        if let Some(k) = v.get("remove") {
            let ids = v.get("ids")?.as_array()?.iter().map(|i| i.as_str().map(str::to_owned)).collect::<Option<_>>()?;
            return Some(Change::Remove { table: key_from(k)?, ids });
        }
        if let Some(k) = v.get("mark") {
            return Some(Change::Mark { table: key_from(k)? });
        }
        v.get("reset").map(|_| Change::Reset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kind: &str) -> TableKey {
        TableKey { service: "vpc".into(), region: "ap-guangzhou".into(), kind: kind.into() }
    }

    fn put(kind: &str, id: &str, seq: u64, token: Option<&str>) -> Change {
        let resource = Resource { id: id.into(), seq, created_ms: 1, fields: Map::new() };
        Change::Put { table: key(kind), resource, token: token.map(str::to_owned) }
    }

    #[test]
    fn debug_hides_the_hidden_fields() {
        let fields = json!({"KeyId": "k-1", "EmulatorKeyMaterial": "00112233"}).as_object().cloned().unwrap();
        let shown = format!("{:?}", Resource { id: "k-1".into(), seq: 0, created_ms: 0, fields });
        assert!(shown.contains("k-1") && shown.contains("<hidden>") && !shown.contains("00112233"), "{shown}");
    }

    #[test]
    fn apply_and_snapshot() {
        let mut t = Tables::default();
        t.apply(put("Vpc", "vpc-1", 0, Some("tok")));
        t.apply(put("Vpc", "vpc-2", 1, None));
        t.apply(put("Vpc", "vpc-1", 0, None)); // a modify keeps the order
        assert_eq!(t.table(&key("Vpc")).unwrap().iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["vpc-1", "vpc-2"]);
        assert_eq!(t.token(&key("Vpc"), "tok"), Some(&["vpc-1".to_owned()][..]));
        let snap = t.snapshot();
        let mut again = Tables::default();
        for c in snap.iter().map(|c| Change::from_json(&c.to_json()).unwrap()) {
            again.apply(c);
        }
        assert_eq!(again.count(), 2);
        assert_eq!(again.token(&key("Vpc"), "tok"), Some(&["vpc-1".to_owned()][..]));
        t.apply(Change::Remove { table: key("Vpc"), ids: vec!["vpc-1".into(), "vpc-9".into()] });
        assert_eq!(t.count(), 1);
        t.apply(Change::Reset);
        assert_eq!((t.count(), t.next_seq()), (0, 2));
        assert_eq!(Change::from_json(&json!({"put": [1, 2]})), None);
    }
}
