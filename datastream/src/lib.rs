//! SCAP source data streams (SP 800-126r3): composing them from component
//! documents ([`compose`]), reading their structure without copying
//! component bytes ([`read`]), taking them apart losslessly ([`split`]) and
//! summarising what they hold ([`info`]). [`read`] is the one data stream
//! reader and [`catalog`] the one href resolver every scapc command uses.
#![forbid(unsafe_code)]

pub mod assemble;
pub mod catalog;
pub mod compose;
pub mod info;
pub mod manifest;
pub mod read;
pub mod split;
