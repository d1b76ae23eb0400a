//! `filehash58_object` (independent): digests of files.
//!
//! Files come from `filepath`, or `path` and `filename`, with the file
//! behaviors (see [`fs`](super::fs)); only regular files are hashed
//! (streamed, so size does not matter). `hash_type` selects MD5, SHA-1,
//! SHA-224, SHA-256, SHA-384 or SHA-512 (any operation: each type that
//! satisfies it gives an item). Items: filepath, path, filename,
//! hash_type, hash (lower-case hex). A file that cannot be read gives an
//! item with status `error`.

use super::fs::{self, FileRef};
use super::{push_location, ProbeCtx};
use crate::oval::item::{Collected, Item, ObjectSpec};
use crate::oval::types::{Flag, Status};
use md5::Digest as _;
use std::io::Read;

const TYPES: &[&str] = &["MD5", "SHA-1", "SHA-224", "SHA-256", "SHA-384", "SHA-512"];

enum Hasher {
    Md5(md5::Md5),
    Sha224(sha2::Sha224),
    Ring(ring::digest::Context),
}

impl Hasher {
    fn new(t: &str) -> Hasher {
        use ring::digest;
        match t {
            "MD5" => Hasher::Md5(md5::Md5::new()),
            "SHA-224" => Hasher::Sha224(sha2::Sha224::new()),
            "SHA-1" => Hasher::Ring(digest::Context::new(&digest::SHA1_FOR_LEGACY_USE_ONLY)),
            "SHA-256" => Hasher::Ring(digest::Context::new(&digest::SHA256)),
            "SHA-384" => Hasher::Ring(digest::Context::new(&digest::SHA384)),
            _ => Hasher::Ring(digest::Context::new(&digest::SHA512)),
        }
    }

    fn update(&mut self, b: &[u8]) {
        match self {
            Hasher::Md5(h) => h.update(b),
            Hasher::Sha224(h) => sha2::Digest::update(h, b),
            Hasher::Ring(h) => h.update(b),
        }
    }

    fn hex(self) -> String {
        let bytes: Vec<u8> = match self {
            Hasher::Md5(h) => h.finalize().to_vec(),
            Hasher::Sha224(h) => sha2::Digest::finalize(h).to_vec(),
            Hasher::Ring(h) => h.finish().as_ref().to_vec(),
        };
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Hashes a target file with several algorithms in one read.
pub fn hash_file(ctx: &ProbeCtx<'_>, path: &str, types: &[&str]) -> std::io::Result<Vec<String>> {
    let host = ctx.target.resolve(path)?;
    let meta = std::fs::metadata(&host)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{path} is not a regular file")));
    }
    let mut f = std::fs::File::open(&host)?;
    let mut hashers: Vec<Hasher> = types.iter().map(|t| Hasher::new(t)).collect();
    let mut buf = vec![0u8; 1 << 16];
    let mut n_reads = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        for h in &mut hashers {
            h.update(&buf[..n]);
        }
        n_reads += 1;
        if n_reads.is_multiple_of(256) && ctx.expired() {
            return Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "the deadline passed while hashing"));
        }
    }
    Ok(hashers.into_iter().map(Hasher::hex).collect())
}

fn location_item(f: &FileRef, status: Status) -> Item {
    let mut i = Item::new("independent", "filehash58_item");
    i.status = status;
    push_location(&mut i, f);
    i
}

pub fn collect(ctx: &ProbeCtx<'_>, obj: &ObjectSpec) -> Collected {
    let mut messages = Vec::new();
    let types: Vec<&str> =
        TYPES.iter().copied().filter(|t| super::entity_ok(obj, "hash_type", t, &mut messages)).collect();
    let resolved = fs::resolve(ctx, obj);
    if let Some(e) = resolved.error {
        return Collected::error(e);
    }
    messages.extend(resolved.messages);
    let mut items = Vec::new();
    let mut incomplete = resolved.incomplete;
    if !types.is_empty() {
        for f in &resolved.files {
            if ctx.expired() {
                incomplete = true;
                break;
            }
            let Some(fp) = f.filepath() else { continue };
            if !ctx.target.metadata(&fp).map(|m| m.is_file()).unwrap_or(false) {
                continue;
            }
            match hash_file(ctx, &fp, &types) {
                Ok(hashes) => {
                    for (t, h) in types.iter().zip(hashes) {
                        let mut i = location_item(f, Status::Exists);
                        i.s("hash_type", *t);
                        i.s("hash", h);
                        items.push(i);
                    }
                }
                Err(e) => {
                    messages.push(format!("{fp}: {e}"));
                    items.push(location_item(f, Status::Error));
                }
            }
        }
    }
    let mut c = Collected::from_items(items);
    if incomplete {
        c.flag = Flag::Incomplete;
    }
    c.messages = messages;
    c
}
