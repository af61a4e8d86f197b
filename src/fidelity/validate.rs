//! The class-validator-style checks of docs/api.md §1.4: constraint keys, message templates, and a
//! collector that walks a JSON body field by field. Touches no state.

use crate::fidelity::js::{is_email, is_iso8601};
use crate::fidelity::jsvalue::{JsObject, JsValue};
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};

/// One failed check: the constraint key and the property it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Constraint {
    IsArray,
    ArrayMinSize(usize),
    ArrayMaxSize(usize),
    IsString,
    IsNotEmpty,
    IsBoolean,
    IsObject,
    IsInt,
    IsNumber,
    Min(i64),
    Max(i64),
    IsIn(&'static [&'static str]),
    IsEmail,
    IsIso8601,
    IsMongoId,
    EachString,
    NestedValidation,
    Whitelist,
}

impl Constraint {
    /// The key under `constraints`.
    pub fn key(&self) -> &'static str {
        match self {
            Constraint::IsArray => "isArray",
            Constraint::ArrayMinSize(_) => "arrayMinSize",
            Constraint::ArrayMaxSize(_) => "arrayMaxSize",
            Constraint::IsString | Constraint::EachString => "isString",
            Constraint::IsNotEmpty => "isNotEmpty",
            Constraint::IsBoolean => "isBoolean",
            Constraint::IsObject => "isObject",
            Constraint::IsInt => "isInt",
            Constraint::IsNumber => "isNumber",
            Constraint::Min(_) => "min",
            Constraint::Max(_) => "max",
            Constraint::IsIn(_) => "isIn",
            Constraint::IsEmail => "isEmail",
            Constraint::IsIso8601 => "isIso8601",
            Constraint::IsMongoId => "isMongoId",
            Constraint::NestedValidation => "nestedValidation",
            Constraint::Whitelist => "whitelistValidation",
        }
    }

    /// The message for property `p`, in class-validator's wording.
    pub fn message(&self, p: &str) -> String {
        match self {
            Constraint::IsArray => format!("{p} must be an array"),
            Constraint::ArrayMinSize(n) => format!("{p} must contain at least {n} elements"),
            Constraint::ArrayMaxSize(n) => format!("{p} must contain no more than {n} elements"),
            Constraint::IsString => format!("{p} must be a string"),
            Constraint::IsNotEmpty => format!("{p} should not be empty"),
            Constraint::IsBoolean => format!("{p} must be a boolean value"),
            Constraint::IsObject => format!("{p} must be an object"),
            Constraint::IsInt => format!("{p} must be an integer number"),
            Constraint::IsNumber => {
                format!("{p} must be a number conforming to the specified constraints")
            }
            Constraint::Min(n) => format!("{p} must not be less than {n}"),
            Constraint::Max(n) => format!("{p} must not be greater than {n}"),
            Constraint::IsIn(values) => {
                format!(
                    "{p} must be one of the following values: {}",
                    values.join(", ")
                )
            }
            Constraint::IsEmail => format!("{p} must be an email"),
            Constraint::IsIso8601 => format!("{p} must be a valid ISO 8601 date string"),
            Constraint::IsMongoId => format!("{p} must be a mongodb id"),
            Constraint::EachString => format!("each value in {p} must be a string"),
            Constraint::NestedValidation => {
                format!("each value in nested property {p} must be either object or array")
            }
            Constraint::Whitelist => format!("property {p} should not exist"),
        }
    }
}

/// One entry of a validation error's `data` array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub property: String,
    pub constraint: Constraint,
}

impl Serialize for Violation {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Constraints<'a>(&'a Violation);
        impl Serialize for Constraints<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(1))?;
                let constraint = &self.0.constraint;
                map.serialize_entry(constraint.key(), &constraint.message(&self.0.property))?;
                map.end()
            }
        }
        let mut entry = serializer.serialize_struct("Violation", 2)?;
        entry.serialize_field("property", &self.property)?;
        entry.serialize_field("constraints", &Constraints(self))?;
        entry.end()
    }
}

/// Whether a field must be there. Absent and `null` mean the same (§1.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    Required,
    Optional,
}

/// The body's value for `name`, with `null` folded into "absent".
pub fn field<'v>(object: &'v JsObject, name: &str) -> Option<&'v JsValue> {
    object.get(name).filter(|value| !value.is_null())
}

/// Collects violations in the order the fields are checked.
///
/// Each method checks one field with its rules in order, records only the first failure,
/// and returns the typed value when every rule passed (and the field was present).
#[derive(Debug, Default)]
pub struct Validator {
    violations: Vec<Violation>,
}

impl Validator {
    /// An empty collector.
    pub fn new() -> Self {
        Validator::default()
    }

    /// Records a failure of `constraint` for `property`.
    pub fn fail(&mut self, property: &str, constraint: Constraint) {
        self.violations.push(Violation {
            property: property.to_string(),
            constraint,
        });
    }

    /// The violations found, or `Ok(value)` if there were none.
    pub fn finish<T>(self, value: T) -> Result<T, Vec<Violation>> {
        if self.violations.is_empty() {
            Ok(value)
        } else {
            Err(self.violations)
        }
    }

    /// Whether nothing has failed so far.
    #[cfg(test)]
    pub fn is_clean(&self) -> bool {
        self.violations.is_empty()
    }

    /// `isNotEmpty`, then `isString`: a required text such as `domain` or `name`. Only `''`
    /// (and absence) is empty, as class-validator 0.15.1 reads it: a string of white space
    /// passes and meets the endpoint's own rules.
    pub fn non_empty_string<'v>(
        &mut self,
        name: &str,
        value: Option<&'v JsValue>,
    ) -> Option<&'v str> {
        let Some(value) = value.filter(|value| is_not_empty(value)) else {
            self.fail(name, Constraint::IsNotEmpty);
            return None;
        };
        match value {
            JsValue::String(text) => Some(text),
            _ => {
                self.fail(name, Constraint::IsString);
                None
            }
        }
    }

    /// `isString` on an optional field.
    pub fn optional_string<'v>(
        &mut self,
        name: &str,
        value: Option<&'v JsValue>,
    ) -> Option<&'v str> {
        match value? {
            JsValue::String(text) => Some(text),
            _ => {
                self.fail(name, Constraint::IsString);
                None
            }
        }
    }

    /// `isBoolean` on an optional field.
    pub fn optional_bool(&mut self, name: &str, value: Option<&JsValue>) -> Option<bool> {
        match value? {
            JsValue::Bool(flag) => Some(*flag),
            _ => {
                self.fail(name, Constraint::IsBoolean);
                None
            }
        }
    }

    /// `isObject` on an optional field (an array is not an object).
    pub fn optional_object<'v>(
        &mut self,
        name: &str,
        value: Option<&'v JsValue>,
    ) -> Option<&'v JsObject> {
        match value? {
            JsValue::Object(object) => Some(object),
            _ => {
                self.fail(name, Constraint::IsObject);
                None
            }
        }
    }

    /// `isArray`, then (if `min` is given) `arrayMinSize`, then each item `isString`.
    pub fn string_array<'v>(
        &mut self,
        name: &str,
        value: Option<&'v JsValue>,
        presence: Presence,
        min: Option<usize>,
    ) -> Option<Vec<&'v str>> {
        let items = self.array(name, value, presence)?;
        if let Some(min) = min.filter(|min| items.len() < *min) {
            self.fail(name, Constraint::ArrayMinSize(min));
            return None;
        }
        let strings: Option<Vec<&str>> = items.iter().map(JsValue::as_str).collect();
        if strings.is_none() {
            self.fail(name, Constraint::EachString);
        }
        strings
    }

    /// `isArray`, `arrayMinSize`, `arrayMaxSize`, then every item an object (`nestedValidation`).
    /// The caller then validates each item, so that item errors follow the array's place.
    pub fn object_array<'v>(
        &mut self,
        name: &str,
        value: Option<&'v JsValue>,
        presence: Presence,
        min: usize,
        max: usize,
    ) -> Option<Vec<&'v JsObject>> {
        let items = self.array(name, value, presence)?;
        if items.len() < min {
            self.fail(name, Constraint::ArrayMinSize(min));
            return None;
        }
        if items.len() > max {
            self.fail(name, Constraint::ArrayMaxSize(max));
            return None;
        }
        let objects: Option<Vec<_>> = items.iter().map(JsValue::as_object).collect();
        if objects.is_none() {
            self.fail(name, Constraint::NestedValidation);
        }
        objects
    }

    /// `isIn` on a required field.
    pub fn one_of<'v>(
        &mut self,
        name: &str,
        value: Option<&'v JsValue>,
        allowed: &'static [&'static str],
    ) -> Option<&'v str> {
        match value.and_then(JsValue::as_str) {
            Some(text) if allowed.contains(&text) => Some(text),
            _ => {
                self.fail(name, Constraint::IsIn(allowed));
                None
            }
        }
    }

    /// `isNumber` on an optional field (a finite JSON number; strings are not converted).
    pub fn optional_number(&mut self, name: &str, value: Option<&JsValue>) -> Option<f64> {
        match value? {
            value if is_number(value) => value.as_number().and_then(|n| n.as_f64()),
            _ => {
                self.fail(name, Constraint::IsNumber);
                None
            }
        }
    }

    /// `isIso8601`: validator.js's `isISO8601` ([`crate::fidelity::js::is_iso8601`]); a required field
    /// that is absent fails the same check.
    pub fn iso8601<'v>(
        &mut self,
        name: &str,
        value: Option<&'v JsValue>,
        presence: Presence,
    ) -> Option<&'v str> {
        self.text_that(name, value, presence, Constraint::IsIso8601, is_iso8601)
    }

    /// `isEmail`: validator.js's `isEmail` with default options ([`crate::fidelity::js::is_email`]); a
    /// required field that is absent fails the same check.
    pub fn email<'v>(
        &mut self,
        name: &str,
        value: Option<&'v JsValue>,
        presence: Presence,
    ) -> Option<&'v str> {
        self.text_that(name, value, presence, Constraint::IsEmail, is_email)
    }

    /// A string for which `accept` holds, else `constraint` fails (also for a missing
    /// required value, which is how class-validator reports a format check on nothing).
    fn text_that<'v>(
        &mut self,
        name: &str,
        value: Option<&'v JsValue>,
        presence: Presence,
        constraint: Constraint,
        accept: impl Fn(&str) -> bool,
    ) -> Option<&'v str> {
        match value {
            None if presence == Presence::Optional => None,
            Some(JsValue::String(text)) if accept(text) => Some(text),
            _ => {
                self.fail(name, constraint);
                None
            }
        }
    }

    /// `whitelistValidation` for every property of `object` not in `known`, in the order sent.
    pub fn reject_unknown(&mut self, object: &JsObject, known: &[&str]) {
        for property in object.keys() {
            if !known.contains(&property.as_str()) {
                self.fail(property, Constraint::Whitelist);
            }
        }
    }

    fn array<'v>(
        &mut self,
        name: &str,
        value: Option<&'v JsValue>,
        presence: Presence,
    ) -> Option<&'v Vec<JsValue>> {
        match value {
            None if presence == Presence::Optional => None,
            Some(JsValue::Array(items)) => Some(items),
            _ => {
                self.fail(name, Constraint::IsArray);
                None
            }
        }
    }
}

/// class-validator 0.15.1 `isNotEmpty`: anything but `''` (`null` and absence are dealt with
/// before).
pub fn is_not_empty(value: &JsValue) -> bool {
    !matches!(value, JsValue::Null) && value.as_str() != Some("")
}

/// class-validator 0.15.1 `isNumber` with default options: a number, and finite.
pub fn is_number(value: &JsValue) -> bool {
    value
        .as_number()
        .and_then(serde_json::Number::as_f64)
        .is_some_and(f64::is_finite)
}

/// class-validator 0.15.1 `isInt`: a number for which `Number.isInteger` holds. (The API
/// reads integers from query values through `Number()`; this is the body check, which the
/// verdict table pins.)
#[cfg(feature = "test-hooks")]
pub fn is_int(value: &JsValue) -> bool {
    value
        .as_number()
        .and_then(serde_json::Number::as_f64)
        .is_some_and(crate::fidelity::js::is_integer)
}

/// The emulator's verdict for a class-validator check over a JSON value (`isNotEmpty`,
/// `isString`, `isNumber`, `isInt`, `isIn` with `allowed`, `min` / `max` with `bound`), or
/// `None` for a check it does not know. For the table test of the real library's answers.
#[cfg(feature = "test-hooks")]
pub fn class_validator_verdict(
    check: &str,
    value: serde_json::Value,
    allowed: &[&str],
    bound: f64,
) -> Option<bool> {
    let value = JsValue::from(value);
    let number = value.as_number().and_then(serde_json::Number::as_f64);
    Some(match check {
        "isNotEmpty" => is_not_empty(&value),
        "isString" => value.as_str().is_some(),
        "isNumber" => is_number(&value),
        "isInt" => is_int(&value),
        "isIn" => value.as_str().is_some_and(|text| allowed.contains(&text)),
        "min" => number.is_some_and(|n| n >= bound),
        "max" => number.is_some_and(|n| n <= bound),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// A test value, read as a request body is.
    fn js(value: Value) -> JsValue {
        JsValue::from(value)
    }

    fn violations_of(check: impl FnOnce(&mut Validator)) -> Value {
        let mut validator = Validator::new();
        check(&mut validator);
        serde_json::to_value(validator.finish(()).unwrap_err()).unwrap()
    }

    #[test]
    fn a_violation_serialises_as_property_and_one_constraint() {
        let found = violations_of(|v| {
            v.non_empty_string("domain", Some(&js(json!(""))));
        });
        assert_eq!(
            found,
            json!([{ "property": "domain", "constraints": { "isNotEmpty": "domain should not be empty" } }])
        );
    }

    #[test]
    fn every_message_template_reads_as_class_validator_writes_it() {
        let p = "x";
        let table = [
            (Constraint::IsArray, "isArray", "x must be an array"),
            (
                Constraint::ArrayMinSize(1),
                "arrayMinSize",
                "x must contain at least 1 elements",
            ),
            (
                Constraint::ArrayMaxSize(100),
                "arrayMaxSize",
                "x must contain no more than 100 elements",
            ),
            (Constraint::IsString, "isString", "x must be a string"),
            (
                Constraint::IsNotEmpty,
                "isNotEmpty",
                "x should not be empty",
            ),
            (
                Constraint::IsBoolean,
                "isBoolean",
                "x must be a boolean value",
            ),
            (Constraint::IsObject, "isObject", "x must be an object"),
            (Constraint::IsInt, "isInt", "x must be an integer number"),
            (
                Constraint::IsNumber,
                "isNumber",
                "x must be a number conforming to the specified constraints",
            ),
            (Constraint::Min(1), "min", "x must not be less than 1"),
            (
                Constraint::Max(1000),
                "max",
                "x must not be greater than 1000",
            ),
            (
                Constraint::IsIn(&["a", "b"]),
                "isIn",
                "x must be one of the following values: a, b",
            ),
            (Constraint::IsEmail, "isEmail", "x must be an email"),
            (
                Constraint::IsIso8601,
                "isIso8601",
                "x must be a valid ISO 8601 date string",
            ),
            (Constraint::IsMongoId, "isMongoId", "x must be a mongodb id"),
            (
                Constraint::EachString,
                "isString",
                "each value in x must be a string",
            ),
            (
                Constraint::NestedValidation,
                "nestedValidation",
                "each value in nested property x must be either object or array",
            ),
            (
                Constraint::Whitelist,
                "whitelistValidation",
                "property x should not exist",
            ),
        ];
        for (constraint, key, message) in table {
            assert_eq!(constraint.key(), key);
            assert_eq!(constraint.message(p), message);
        }
    }

    #[test]
    fn only_the_first_failing_check_of_a_field_is_reported() {
        let found = violations_of(|v| {
            v.object_array("accounts", Some(&js(json!([]))), Presence::Required, 1, 100);
        });
        assert_eq!(
            found[0]["constraints"],
            json!({ "arrayMinSize": "accounts must contain at least 1 elements" })
        );
        assert_eq!(found.as_array().unwrap().len(), 1);
    }

    #[test]
    fn emails_need_a_local_part_an_at_and_a_dotted_domain() {
        for good in ["ann@acme.com", "a.b+c@mail.acme.io"] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "",
            "ann",
            "ann@",
            "@acme.com",
            "ann@acme",
            "ann@acme.c",
            "a n@acme.com",
            "ann@@acme.com",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn null_counts_as_absent_for_optional_fields() {
        let body = js(json!({ "segmentId": null }));
        let mut v = Validator::new();
        assert_eq!(
            v.optional_string("segmentId", field(body.as_object().unwrap(), "segmentId")),
            None
        );
        assert!(v.is_clean());
    }
}
