//! `StoreError`: every business refusal of the store, with the vendor's exact message.

use std::fmt;

use super::batch;
use crate::data::model::ObjectId;

/// A business rule refused the request. `Display` gives the exact `customMessage`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreError {
    SegmentNotFound(String),
    SegmentNotStatic(String),
    SegmentClosed(String),
    CustomFieldExists(String),
    AccountNotFound(String),
    UnknownCustomFields(Vec<String>),
    /// Seeding only: the API reports duplicates per item instead.
    DomainTaken(String),
    /// Seeding only: the API reports invalid domains per item instead.
    InvalidDomain(String),
    SegmentIdTaken(String),
    AccountIdTaken(String),
    UnknownMember(String, ObjectId),
    UnknownTeam(String),
    /// Issuing a key that is already known (it would silently move to another team or user).
    ApiKeyExists(String),
    /// Seeding only: no account of the team has this (cleaned) domain.
    DomainNotFound(String),
    /// A session cannot take the name of an existing team.
    TeamExists(String),
    /// Seeding only: a segment id must not be empty (`GET /segments` pages by id).
    EmptySegmentId,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::SegmentNotFound(id) => write!(f, "Segment '{id}' not found"),
            StoreError::SegmentNotStatic(id) => write!(f, "Segment '{id}' is not a static segment"),
            StoreError::SegmentClosed(id) => write!(
                f,
                "Segment '{id}' is not active or draft and cannot accept new members"
            ),
            StoreError::CustomFieldExists(key) => {
                write!(f, "Custom field with key '{key}' already exists")
            }
            StoreError::AccountNotFound(id) => write!(f, "Account with rtp_aid '{id}' not found"),
            StoreError::UnknownCustomFields(keys) => {
                write!(f, "Custom field key(s) not found: {}", keys.join(", "))
            }
            StoreError::DomainTaken(domain) => {
                write!(f, "Account with domain '{domain}' already exists")
            }
            StoreError::InvalidDomain(raw) => write!(f, "{}", batch::invalid_domain_message(raw)),
            StoreError::SegmentIdTaken(id) => write!(f, "Segment '{id}' already exists"),
            StoreError::AccountIdTaken(id) => {
                write!(f, "Account with rtp_aid '{id}' already exists")
            }
            StoreError::UnknownMember(segment, id) => write!(
                f,
                "Segment '{segment}' lists member '{id}', which is not an account of the team"
            ),
            StoreError::UnknownTeam(team) => write!(f, "Team '{team}' not found"),
            StoreError::ApiKeyExists(key) => write!(f, "API key '{key}' already exists"),
            StoreError::DomainNotFound(domain) => write!(f, "No account with domain '{domain}'"),
            StoreError::TeamExists(team) => write!(f, "Team '{team}' already exists"),
            StoreError::EmptySegmentId => {
                f.write_str("segmentId must not be empty (leave it out for a generated id)")
            }
        }
    }
}

impl std::error::Error for StoreError {}
