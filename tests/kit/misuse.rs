//! A handle that explains misuse: every seeding method has a `try_` twin that returns the
//! error, the panicking twin says what was asked, what exists and the fix, builders refuse a
//! bad value at the call that received it, and a failed start says why.

use recotap_mock::{
    parse_document, CustomField, Fault, LabelType, MockRecotap, NewAccount, ScoreUpdate, Segment,
    StartError, StateError, StoreError,
};

#[test]
#[should_panic(
    expected = "recotap-mock: cannot add custom field \"Contract Value\" (key CONTRACT_VALUE_C) in team \"default\": Custom field with key 'CONTRACT_VALUE_C' already exists; the active field \"Contract Value\" has that key; add each field once, or add the older one with .inactive()"
)]
fn a_second_active_custom_field_with_the_same_key_names_the_first() {
    let mock = MockRecotap::start();
    mock.add_custom_field(CustomField::new("Contract Value", LabelType::Number));
    mock.add_custom_field(CustomField::new("Contract Value", LabelType::Number));
}

#[test]
#[should_panic(
    expected = "recotap-mock: cannot add segment \"Again\" in team \"default\": Segment 'seg-001' already exists; segment \"seg-001\" is \"Q2\"; choose another id with Segment::id, or leave it out to have one generated"
)]
fn a_segment_id_taken_names_the_segment_that_holds_it() {
    let mock = MockRecotap::start();
    mock.add_segment(Segment::new("Q2").id("seg-001"));
    mock.add_segment(Segment::new("Again").id("seg-001"));
}

#[test]
#[should_panic(
    expected = "cannot add account \"https://www.Acme.com\" (\"Acme again\") in team \"default\": Account with domain 'acme.com' already exists; account "
)]
fn a_domain_taken_names_the_account_that_holds_it() {
    let mock = MockRecotap::start();
    mock.add_account(NewAccount::new("acme.com", "Acme"));
    mock.add_account(NewAccount::new("https://www.Acme.com", "Acme again"));
}

#[test]
#[should_panic(
    expected = "recotap-mock: cannot set the scores of the account with domain \"globex.com\" in team \"default\": No account with domain 'globex.com'; team \"default\" has the domains [\"acme.com\"] (first 5); add the account first with add_account"
)]
fn scoring_an_unknown_domain_lists_the_domains_there_are() {
    let mock = MockRecotap::start();
    mock.add_account(NewAccount::new("acme.com", "Acme"));
    mock.set_scores("globex.com", ScoreUpdate::default().account_score(1));
}

#[test]
fn every_seeding_method_has_a_try_twin_that_returns_the_error() {
    let mock = MockRecotap::start();
    let field = CustomField::new("Tier", LabelType::Number);
    mock.try_add_custom_field(field.clone()).unwrap();
    assert_eq!(
        mock.try_add_custom_field(field),
        Err(StoreError::CustomFieldExists("TIER_C".to_string()))
    );
    mock.try_add_segment(Segment::new("Q2").id("seg-1"))
        .unwrap();
    assert_eq!(
        mock.try_add_segment(Segment::new("Q3").id("seg-1")),
        Err(StoreError::SegmentIdTaken("seg-1".to_string()))
    );
    assert_eq!(
        mock.try_add_account(NewAccount::new("no-dot", "X")),
        Err(StoreError::InvalidDomain("no-dot".to_string()))
    );
    assert_eq!(
        mock.try_set_scores("https://www.Nowhere.com/x", ScoreUpdate::default()),
        Err(StoreError::DomainNotFound("nowhere.com".to_string()))
    );
    mock.try_add_api_key("k2", "team2", None).unwrap();
    assert_eq!(
        mock.try_add_api_key("k2", "team3", None),
        Err(StoreError::ApiKeyExists("k2".to_string()))
    );
    assert!(mock.try_freeze_clock("not a time").is_err());
    assert!(mock.accounts().is_empty(), "nothing refused was stored");
}

#[test]
#[should_panic(
    expected = "recotap-mock: cannot add API key \"test-api-key\" to team \"other\": API key 'test-api-key' already exists; pick a key that is not issued yet"
)]
fn re_issuing_a_known_key_through_the_handle_is_refused_as_over_http() {
    let mock = MockRecotap::start();
    mock.add_api_key("test-api-key", "other", None);
}

#[test]
#[should_panic(
    expected = "recotap-mock: Fault::status(199): a status fault needs \"status\" between 200 and 599"
)]
fn a_fault_status_out_of_range_is_refused_at_the_call() {
    let _ = Fault::status(199);
}

#[test]
#[should_panic(
    expected = "recotap-mock: Fault::probability(1.5, 7): \"probability\" must be between 0 and 1"
)]
fn a_probability_above_one_is_refused_at_the_call() {
    let _ = Fault::status(503).probability(1.5, 7);
}

#[test]
#[should_panic(expected = "recotap-mock: Fault::body(..): \"body\" applies only to kind status")]
fn a_body_on_a_fault_that_has_none_is_refused_at_the_call() {
    let _ = Fault::hang().body(serde_json::json!({}));
}

#[test]
#[should_panic(
    expected = "recotap-mock: \"yesterday\" is not an ISO 8601 instant such as \"2026-04-30T10:00:00.000Z\""
)]
fn a_frozen_clock_that_is_not_an_instant_is_refused_at_the_builder_call() {
    let _ = MockRecotap::builder().frozen_clock("yesterday");
}

#[test]
fn a_port_in_use_is_a_bind_error_naming_the_address() {
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port();
    let error = MockRecotap::builder().port(port).try_start().unwrap_err();
    assert!(matches!(error, StartError::Bind { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with(&format!("cannot listen on 127.0.0.1:{port}: ")),
        "{error}"
    );
}

#[test]
#[should_panic(
    expected = "; use port 0 (the default) for a free port, or stop what holds this one"
)]
fn start_on_a_port_in_use_says_what_to_do() {
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port();
    let _mock = MockRecotap::builder().port(port).start();
}

#[test]
fn an_invalid_initial_state_is_not_reported_as_a_bind_failure() {
    let document = parse_document(br#"{ "teams": [ { "name": "a" }, { "name": "a" } ] }"#).unwrap();
    let error = MockRecotap::builder()
        .initial_state(document)
        .try_start()
        .unwrap_err();
    match error {
        StartError::InvalidInitialState(StateError::DuplicateTeam { team }) => {
            assert_eq!(team, "a")
        }
        other => panic!("expected an invalid initial state, got {other:?}"),
    }
}
