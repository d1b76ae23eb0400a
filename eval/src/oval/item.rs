//! What the engine hands a probe and what a probe gives back.
//!
//! The engine resolves an OVAL object (variables substituted, `set`s and
//! `filter`s kept for itself) into an [`ObjectSpec`]; a probe returns a
//! [`Collected`]: a flag and the system-characteristics items it found.

use super::compare::{compare, CompareError};
use super::types::{Check, Datatype, Flag, Operation, Status};
use std::collections::BTreeMap;

/// One object entity after variable resolution.
#[derive(Debug, Clone, Default)]
pub struct EntitySpec {
    pub name: String,
    pub datatype: Datatype,
    pub operation: Operation,
    /// The value, or every value of the referenced variable.
    pub values: Vec<String>,
    /// How several values combine (`var_check`, default `all`).
    pub var_check: Check,
    /// `xsi:nil="true"`: the entity stands for "no value" (e.g. a file
    /// object's filename when the object is about directories).
    pub nil: bool,
}

impl EntitySpec {
    /// Whether a collected value satisfies this entity.
    pub fn matches(&self, actual: &str) -> Result<bool, CompareError> {
        if self.nil {
            return Ok(true);
        }
        let mut results = Vec::with_capacity(self.values.len());
        for v in &self.values {
            results.push(compare(self.datatype, self.operation, actual, v)?);
        }
        Ok(match self.var_check {
            Check::All => results.iter().all(|b| *b),
            Check::AtLeastOne => results.iter().any(|b| *b),
            Check::NoneSatisfy => !results.iter().any(|b| *b),
            Check::OnlyOne => results.iter().filter(|b| **b).count() == 1,
        })
    }

    /// The exact values a collected value must equal, when the operation
    /// is `equals` (a probe can then look them up instead of searching).
    pub fn exact(&self) -> Option<Vec<&str>> {
        if self.nil || self.operation != Operation::Equals {
            return None;
        }
        match self.var_check {
            Check::AtLeastOne | Check::OnlyOne => Some(self.values.iter().map(String::as_str).collect()),
            Check::All => {
                let first = self.values.first()?;
                // All values must be equal for anything to match.
                Some(if self.values.iter().all(|v| v == first) { vec![first.as_str()] } else { vec![] })
            }
            Check::NoneSatisfy => None,
        }
    }
}

/// An OVAL object resolved for collection.
#[derive(Debug, Clone, Default)]
pub struct ObjectSpec {
    pub id: String,
    /// The schema family of the object's namespace: `independent`, `unix`,
    /// `linux`, ...
    pub family: String,
    /// The object's element name without `_object`, e.g. `textfilecontent54`.
    pub kind: String,
    pub entities: Vec<EntitySpec>,
    /// The attributes of the `behaviors` element, if any.
    pub behaviors: BTreeMap<String, String>,
}

impl ObjectSpec {
    pub fn entity(&self, name: &str) -> Option<&EntitySpec> {
        self.entities.iter().find(|e| e.name == name)
    }

    pub fn behavior(&self, name: &str) -> Option<&str> {
        self.behaviors.get(name).map(String::as_str)
    }
}

/// One entity of a collected item.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemEntity {
    pub name: String,
    pub datatype: Datatype,
    /// The value (empty for a `record`, whose values are its fields).
    pub value: String,
    pub status: Status,
    /// The fields of a `record` entity, in order; a name may repeat (one
    /// field per value). Empty for every other datatype.
    pub fields: Vec<ItemField>,
}

/// One field of a `record` item entity (`oval-sc:field`).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemField {
    /// Lower case, as the schema requires.
    pub name: String,
    pub datatype: Datatype,
    pub value: String,
    pub status: Status,
}

impl ItemField {
    /// A field with status `exists`.
    pub fn new(name: impl Into<String>, datatype: Datatype, value: impl Into<String>) -> ItemField {
        ItemField { name: name.into(), datatype, value: value.into(), status: Status::Exists }
    }
}

impl ItemEntity {
    /// The record's fields of that name, in order.
    pub fn fields_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a ItemField> + 'a {
        self.fields.iter().filter(move |f| f.name == name)
    }

    /// The value as text: the value itself, or for a record one
    /// `name=value` line per field.
    pub fn display_value(&self) -> String {
        if self.datatype != Datatype::Record {
            return self.value.clone();
        }
        let parts: Vec<String> = self.fields.iter().map(|f| format!("{}={}", f.name, f.value)).collect();
        parts.join("\n")
    }
}

/// A system-characteristics item, e.g. a `textfilecontent_item`.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The schema family (`independent`, `unix`, `linux`).
    pub family: String,
    /// The element name, e.g. `textfilecontent_item`.
    pub kind: String,
    pub status: Status,
    pub entities: Vec<ItemEntity>,
    /// Filled by the engine when the item is stored.
    pub id: u64,
    /// Where in its file the item was found (1-based line), for the
    /// report; not part of the system characteristics.
    pub line: Option<u32>,
}

impl Item {
    pub fn new(family: &str, kind: &str) -> Item {
        Item {
            family: family.to_owned(),
            kind: kind.to_owned(),
            status: Status::Exists,
            entities: Vec::new(),
            id: 0,
            line: None,
        }
    }

    /// Adds an entity with status `exists`.
    pub fn push(&mut self, name: &str, datatype: Datatype, value: impl Into<String>) -> &mut Item {
        self.entities.push(ItemEntity {
            name: name.to_owned(),
            datatype,
            value: value.into(),
            status: Status::Exists,
            fields: Vec::new(),
        });
        self
    }

    /// Adds a `record` entity with status `exists` and these fields.
    pub fn push_record(&mut self, name: &str, fields: Vec<ItemField>) -> &mut Item {
        self.entities.push(ItemEntity {
            name: name.to_owned(),
            datatype: Datatype::Record,
            value: String::new(),
            status: Status::Exists,
            fields,
        });
        self
    }

    /// Adds a string entity with status `exists`.
    pub fn s(&mut self, name: &str, value: impl Into<String>) -> &mut Item {
        self.push(name, Datatype::String, value)
    }

    /// Adds an entity with another status (its value empty).
    pub fn push_status(&mut self, name: &str, datatype: Datatype, status: Status) -> &mut Item {
        self.entities.push(ItemEntity {
            name: name.to_owned(),
            datatype,
            value: String::new(),
            status,
            fields: Vec::new(),
        });
        self
    }

    /// Every entity of that name, in order.
    pub fn get<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a ItemEntity> + 'a {
        self.entities.iter().filter(move |e| e.name == name)
    }

    pub fn first(&self, name: &str) -> Option<&str> {
        self.entities.iter().find(|e| e.name == name).map(|e| e.value.as_str())
    }
}

/// A probe's answer for one object.
#[derive(Debug, Clone)]
pub struct Collected {
    pub flag: Flag,
    pub items: Vec<Item>,
    /// Messages for the results (`oval-sc:message`), e.g. why collection
    /// failed or which files could not be read.
    pub messages: Vec<String>,
}

impl Collected {
    /// `complete` when items were found, `does not exist` otherwise.
    pub fn from_items(items: Vec<Item>) -> Collected {
        let flag = if items.is_empty() { Flag::DoesNotExist } else { Flag::Complete };
        Collected { flag, items, messages: Vec::new() }
    }

    pub fn error(message: impl Into<String>) -> Collected {
        Collected { flag: Flag::Error, items: Vec::new(), messages: vec![message.into()] }
    }

    pub fn not_collected(message: impl Into<String>) -> Collected {
        Collected { flag: Flag::NotCollected, items: Vec::new(), messages: vec![message.into()] }
    }

    pub fn with_message(mut self, message: impl Into<String>) -> Collected {
        self.messages.push(message.into());
        self
    }
}
