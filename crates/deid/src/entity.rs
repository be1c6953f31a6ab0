//! The identifier types of the `alcove deid` contract and the spans that carry them.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The kind of identifier a [`Span`] covers; the names are the DESIGN.md contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EntityType {
    /// Names of people (clients, relatives, employers, household members).
    Name,
    /// Street addresses, cities, counties, neighbourhoods, ZIP codes.
    Location,
    /// Schools, employers, hospitals, clinics, churches.
    Organization,
    /// Every element of a date except the year alone.
    Date,
    /// Ages of 90 and over.
    Age,
    /// Telephone numbers.
    Phone,
    /// Fax numbers.
    Fax,
    /// E-mail addresses.
    Email,
    /// Social Security numbers.
    Ssn,
    /// Medical record numbers.
    Mrn,
    /// Health-plan beneficiary numbers (member, policy, group ids).
    HealthPlan,
    /// Account, card and IBAN numbers.
    Account,
    /// Certificate and licence numbers.
    License,
    /// Vehicle identifiers: VINs and licence plates.
    Vehicle,
    /// Device identifiers and serial numbers: IMEI, MAC addresses.
    Device,
    /// Web addresses and social-media handles.
    Url,
    /// IP addresses.
    Ip,
    /// Biometric identifiers.
    Biometric,
    /// Any other unique identifying number, characteristic or code.
    Id,
}

impl EntityType {
    /// Every type, in contract order.
    pub const ALL: [EntityType; 19] = [
        EntityType::Name,
        EntityType::Location,
        EntityType::Organization,
        EntityType::Date,
        EntityType::Age,
        EntityType::Phone,
        EntityType::Fax,
        EntityType::Email,
        EntityType::Ssn,
        EntityType::Mrn,
        EntityType::HealthPlan,
        EntityType::Account,
        EntityType::License,
        EntityType::Vehicle,
        EntityType::Device,
        EntityType::Url,
        EntityType::Ip,
        EntityType::Biometric,
        EntityType::Id,
    ];

    /// The contract name, e.g. `"NAME"` or `"HEALTH_PLAN"`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Name => "NAME",
            EntityType::Location => "LOCATION",
            EntityType::Organization => "ORGANIZATION",
            EntityType::Date => "DATE",
            EntityType::Age => "AGE",
            EntityType::Phone => "PHONE",
            EntityType::Fax => "FAX",
            EntityType::Email => "EMAIL",
            EntityType::Ssn => "SSN",
            EntityType::Mrn => "MRN",
            EntityType::HealthPlan => "HEALTH_PLAN",
            EntityType::Account => "ACCOUNT",
            EntityType::License => "LICENSE",
            EntityType::Vehicle => "VEHICLE",
            EntityType::Device => "DEVICE",
            EntityType::Url => "URL",
            EntityType::Ip => "IP",
            EntityType::Biometric => "BIOMETRIC",
            EntityType::Id => "ID",
        }
    }

    /// Parses a contract name; `None` for anything else.
    pub fn from_name(name: &str) -> Option<EntityType> {
        EntityType::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

impl fmt::Display for EntityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One identifier found in a text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// What kind of identifier it is.
    #[serde(rename = "type")]
    pub kind: EntityType,
    /// Confidence in 0..=1.
    pub score: f32,
}
