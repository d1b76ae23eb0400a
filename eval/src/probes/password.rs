//! `password_object` and `shadow_object` (unix): the entries of
//! `/etc/passwd` and `/etc/shadow` on the target (local or `dir:`), each
//! file parsed once per evaluation. Lines that are empty, comments, or NIS
//! compat entries (`+`/`-`) are skipped.
//!
//! Differences from oscap: `last_login` is reported `not collected` (oscap
//! writes -1); an empty shadow `flag` is left out (oscap writes the
//! unsigned -1, 18446744073709551615); `encrypt_method` is left out for
//! hashes outside the schema's list (yescrypt `$y$`, ...). Empty numeric
//! shadow fields are -1, as oscap (the `getspnam` convention).

use super::ProbeCtx;
use crate::oval::item::{Collected, Item, ObjectSpec};
use crate::oval::types::{Datatype, Status};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub struct PasswdEntry {
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ShadowEntry {
    pub fields: Vec<String>,
}

fn parse(text: &str, nfields: usize) -> Vec<Vec<String>> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !l.starts_with('+') && !l.starts_with('-'))
        .filter_map(|l| {
            let mut f: Vec<String> = l.split(':').map(str::to_owned).collect();
            if f.len() < nfields - 1 || f[0].is_empty() {
                return None;
            }
            f.resize(nfields, String::new());
            Some(f)
        })
        .collect()
}

pub fn parse_passwd(text: &str) -> Vec<PasswdEntry> {
    parse(text, 7).into_iter().map(|fields| PasswdEntry { fields }).collect()
}

pub fn parse_shadow(text: &str) -> Vec<ShadowEntry> {
    parse(text, 9).into_iter().map(|fields| ShadowEntry { fields }).collect()
}

fn load<T>(ctx: &ProbeCtx<'_>, path: &str, parse: fn(&str) -> Vec<T>) -> Result<Arc<Vec<T>>, String> {
    ctx.target.read_text(path).map(|t| Arc::new(parse(&t))).map_err(|e| format!("{path}: {e}"))
}

pub fn collect_passwd(ctx: &ProbeCtx<'_>, obj: &ObjectSpec) -> Collected {
    let entries = match ctx.cache.passwd.get_or_init(|| load(ctx, "/etc/passwd", parse_passwd)) {
        Ok(e) => e.clone(),
        Err(e) => return Collected::error(e.clone()),
    };
    let mut messages = Vec::new();
    let mut items = Vec::new();
    for e in entries.iter() {
        let f = &e.fields;
        if !super::entity_ok(obj, "username", &f[0], &mut messages) {
            continue;
        }
        let mut item = Item::new("unix", "password_item");
        item.s("username", f[0].as_str());
        item.s("password", f[1].as_str());
        item.push("user_id", Datatype::Int, f[2].as_str());
        item.push("group_id", Datatype::Int, f[3].as_str());
        item.s("gcos", f[4].as_str());
        item.s("home_dir", f[5].as_str());
        item.s("login_shell", f[6].as_str());
        item.push_status("last_login", Datatype::Int, Status::NotCollected);
        items.push(item);
    }
    let mut c = Collected::from_items(items);
    c.messages = messages;
    c
}

/// The schema's name for a password hash's method, if it has one.
pub fn encrypt_method(hash: &str) -> Option<&'static str> {
    Some(if hash.starts_with("$1$") {
        "MD5"
    } else if hash.starts_with("$2") {
        "Blowfish"
    } else if hash.starts_with("$md5") {
        "Sun MD5"
    } else if hash.starts_with("$5$") {
        "SHA-256"
    } else if hash.starts_with("$6$") {
        "SHA-512"
    } else if hash.starts_with('_') {
        "BSDi"
    } else if !hash.starts_with('$') {
        "DES"
    } else {
        return None;
    })
}

pub fn collect_shadow(ctx: &ProbeCtx<'_>, obj: &ObjectSpec) -> Collected {
    let entries = match ctx.cache.shadow.get_or_init(|| load(ctx, "/etc/shadow", parse_shadow)) {
        Ok(e) => e.clone(),
        Err(e) => return Collected::error(e.clone()),
    };
    let mut messages = Vec::new();
    let mut items = Vec::new();
    for e in entries.iter() {
        let f = &e.fields;
        if !super::entity_ok(obj, "username", &f[0], &mut messages) {
            continue;
        }
        let mut item = Item::new("unix", "shadow_item");
        item.s("username", f[0].as_str());
        item.s("password", f[1].as_str());
        for (i, name) in ["chg_lst", "chg_allow", "chg_req", "exp_warn", "exp_inact", "exp_date"].iter().enumerate() {
            let v = f[2 + i].trim();
            item.push(name, Datatype::Int, if v.is_empty() { "-1" } else { v });
        }
        if !f[8].trim().is_empty() {
            item.s("flag", f[8].trim());
        }
        if let Some(m) = encrypt_method(&f[1]) {
            item.s("encrypt_method", m);
        }
        items.push(item);
    }
    let mut c = Collected::from_items(items);
    c.messages = messages;
    c
}
