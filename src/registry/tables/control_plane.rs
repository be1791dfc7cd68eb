//! Printers of the control plane's configuration kinds: APIService (kube-aggregator's
//! `ConvertToTable`), FlowSchema and PriorityLevelConfiguration, ValidatingAdmissionPolicy
//! and its binding (`pkg/printers/internalversion/printers.go`).

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{age, arr_at, col, int_at, n, name_cell, opt_int_at, present, s, str_at, Column, Printer, AGE, NAME};

const API_SERVICE_COLUMNS: &[Column] = &[
    NAME,
    col("Service", "string", "The reference to the service that hosts this API endpoint."),
    col("Available", "string", "Whether this service is available."),
    AGE,
];

pub static API_SERVICE: Printer = Printer { columns: API_SERVICE_COLUMNS, cells: api_service_cells };

/// SERVICE is `Local` without a service; AVAILABLE is the Available condition's status, with
/// its reason when not True, `Unknown` without one.
fn api_service_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let service = match present(o, "/spec/service") {
        true => format!("{}/{}", str_at(o, "/spec/service/namespace"), str_at(o, "/spec/service/name")),
        false => "Local".to_string(),
    };
    let available = match arr_at(o, "/status/conditions").iter().find(|c| str_at(c, "/type") == "Available") {
        None => "Unknown".to_string(),
        Some(c) if str_at(c, "/status") == "True" || str_at(c, "/reason").is_empty() => {
            str_at(c, "/status").to_string()
        }
        Some(c) => format!("{} ({})", str_at(c, "/status"), str_at(c, "/reason")),
    };
    vec![name_cell(o), s(service), s(available), s(age(o, now))]
}

const FLOW_SCHEMA_COLUMNS: &[Column] = &[
    NAME,
    col("PriorityLevel", "string", "`name` is the name of the priority level configuration being referenced Required."),
    col(
        "MatchingPrecedence",
        "string",
        "`matchingPrecedence` is used to choose among the FlowSchemas that match a given request. The chosen FlowSchema \
is among those with the numerically lowest (which we take to be logically highest) MatchingPrecedence.  Each \
MatchingPrecedence value must be ranged in [1,10000]. Note that if the precedence is not specified, it will be set to \
1000 as default.",
    ),
    col(
        "DistinguisherMethod",
        "string",
        "`distinguisherMethod` defines how to compute the flow distinguisher for requests that match this schema. `nil` \
specifies that the distinguisher is disabled and thus will always be the empty string.",
    ),
    AGE,
    col("MissingPL", "string", "references a broken or non-existent PriorityLevelConfiguration"),
];

pub static FLOW_SCHEMA: Printer = Printer { columns: FLOW_SCHEMA_COLUMNS, cells: flow_schema_cells };

/// `printFlowSchemaList` prints a list in `FlowSchemaSequence` order: by matching
/// precedence, then by name (the cells of those columns).
pub fn sort_flow_schema_rows(rows: &mut [Value]) {
    rows.sort_by_key(|row| (int_at(row, "/cells/2"), str_at(row, "/cells/0").to_string()));
}

/// MISSINGPL is the Dangling condition's status, `?` before the APF controller wrote one.
fn flow_schema_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let method = match present(o, "/spec/distinguisherMethod") {
        true => str_at(o, "/spec/distinguisherMethod/type"),
        false => "<none>",
    };
    let dangling = arr_at(o, "/status/conditions")
        .iter()
        .find(|c| str_at(c, "/type") == "Dangling")
        .map_or("?", |c| str_at(c, "/status"));
    vec![
        name_cell(o),
        s(str_at(o, "/spec/priorityLevelConfiguration/name")),
        n(opt_int_at(o, "/spec/matchingPrecedence").unwrap_or(0)),
        s(method),
        s(age(o, now)),
        s(dangling),
    ]
}

const PRIORITY_LEVEL_COLUMNS: &[Column] = &[
    NAME,
    col(
        "Type",
        "string",
        "`type` indicates whether this priority level is subject to limitation on request execution.  A value of \
`\"Exempt\"` means that requests of this priority level are not subject to a limit (and thus are never queued) and do \
not detract from the capacity made available to other priority levels.  A value of `\"Limited\"` means that (a) \
requests of this priority level _are_ subject to limits and (b) some of the server's limited capacity is made \
available exclusively to this priority level. Required.",
    ),
    col(
        "NominalConcurrencyShares",
        "string",
        "`nominalConcurrencyShares` (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of \
this level. This is the number of execution seats available at this priority level. This is used both for requests \
dispatched from this priority level as well as requests dispatched from other priority levels borrowing seats from \
this level. The server's concurrency limit (ServerCL) is divided among the Limited priority levels in proportion to \
their NCS values:\n\nNominalCL(i)  = ceil( ServerCL * NCS(i) / sum_ncs ) sum_ncs = sum[priority level k] \
NCS(k)\n\nBigger numbers mean a larger nominal concurrency limit, at the expense of every other priority \
level.\n\nIf not specified, this field defaults to a value of 30.\n\nSetting this field to zero supports the \
construction of a \"jail\" for this priority level that is used to hold some request(s)",
    ),
    col(
        "Queues",
        "string",
        "`queues` is the number of queues for this priority level. The queues exist independently at each apiserver. \
The value must be positive.  Setting it to 1 effectively precludes shufflesharding and thus makes the distinguisher \
method of associated flow schemas irrelevant.  This field has a default value of 64.",
    ),
    col(
        "HandSize",
        "string",
        "`handSize` is a small positive number that configures the shuffle sharding of requests into queues.  When \
enqueuing a request at this priority level the request's flow identifier (a string pair) is hashed and the hash \
value is used to shuffle the list of queues and deal a hand of the size specified here.  The request is put into one \
of the shortest queues in that hand. `handSize` must be no larger than `queues`, and should be significantly smaller \
(so that a few heavy flows do not saturate most of the queues).  See the user-facing documentation for more \
extensive guidance on setting this field.  This field has a default value of 8.",
    ),
    col(
        "QueueLengthLimit",
        "string",
        "`queueLengthLimit` is the maximum number of requests allowed to be waiting in a given queue of this priority \
level at a time; excess requests are rejected.  This value must be positive.  If not specified, it will be defaulted \
to 50.",
    ),
    AGE,
];

pub static PRIORITY_LEVEL_CONFIGURATION: Printer =
    Printer { columns: PRIORITY_LEVEL_COLUMNS, cells: priority_level_cells };

/// Limited levels show their shares and queuing (when they queue); the others `<none>`.
fn priority_level_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let none = || s("<none>");
    let (mut shares, mut queues, mut hand_size, mut queue_length_limit) = (none(), none(), none(), none());
    if present(o, "/spec/limited") {
        shares = n(opt_int_at(o, "/spec/limited/nominalConcurrencyShares").unwrap_or(0));
        if present(o, "/spec/limited/limitResponse/queuing") {
            let queuing =
                |field: &str| n(opt_int_at(o, &format!("/spec/limited/limitResponse/queuing/{field}")).unwrap_or(0));
            (queues, hand_size, queue_length_limit) =
                (queuing("queues"), queuing("handSize"), queuing("queueLengthLimit"));
        }
    }
    vec![name_cell(o), s(str_at(o, "/spec/type")), shares, queues, hand_size, queue_length_limit, s(age(o, now))]
}

const VALIDATING_ADMISSION_POLICY_COLUMNS: &[Column] = &[
    NAME,
    col("Validations", "integer", "Validations indicates the number of validation rules defined in this configuration"),
    col("ParamKind", "string", "ParamKind specifies the kind of resources used to parameterize this policy"),
    AGE,
];

pub static VALIDATING_ADMISSION_POLICY: Printer =
    Printer { columns: VALIDATING_ADMISSION_POLICY_COLUMNS, cells: validating_admission_policy_cells };

fn validating_admission_policy_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let param_kind = match present(o, "/spec/paramKind") {
        true => format!("{}/{}", str_at(o, "/spec/paramKind/apiVersion"), str_at(o, "/spec/paramKind/kind")),
        false => "<unset>".to_string(),
    };
    vec![name_cell(o), n(arr_at(o, "/spec/validations").len() as i64), s(param_kind), s(age(o, now))]
}

const VALIDATING_ADMISSION_POLICY_BINDING_COLUMNS: &[Column] = &[
    NAME,
    col("PolicyName", "string", "PolicyName indicates the policy definition which the policy binding binded to"),
    col("ParamRef", "string", "ParamRef indicates the param resource which sets the configration param"),
    AGE,
];

pub static VALIDATING_ADMISSION_POLICY_BINDING: Printer =
    Printer { columns: VALIDATING_ADMISSION_POLICY_BINDING_COLUMNS, cells: validating_admission_policy_binding_cells };

/// PARAMREF is `namespace/name` (`*/name` without a namespace), else the selector.
fn validating_admission_policy_binding_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let mut param = "<unset>".to_string();
    if present(o, "/spec/paramRef") {
        let (name, namespace) = (str_at(o, "/spec/paramRef/name"), str_at(o, "/spec/paramRef/namespace"));
        if !name.is_empty() {
            param = format!("{}/{name}", if namespace.is_empty() { "*" } else { namespace });
        } else if let Some(selector) = o.pointer("/spec/paramRef/selector").filter(|v| !v.is_null()) {
            param = crate::machinery::labels::format_label_selector(Some(selector));
        }
    }
    vec![name_cell(o), s(str_at(o, "/spec/policyName")), s(param), s(age(o, now))]
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{ago, now};
    use super::*;
    use serde_json::json;

    #[test]
    fn api_services_show_local_and_availability() {
        let local = json!({"metadata": {"name": "v1.apps", "creationTimestamp": ago(60)},
            "status": {"conditions": [{"type": "Available", "status": "True", "reason": "Local"}]}});
        assert_eq!(
            api_service_cells(&local, now()),
            vec![json!("v1.apps"), json!("Local"), json!("True"), json!("60s")]
        );
        let remote = json!({"spec": {"service": {"namespace": "kube-system", "name": "metrics"}},
            "status": {"conditions": [{"type": "Available", "status": "False", "reason": "MissingEndpoints"}]}});
        let cells = api_service_cells(&remote, now());
        assert_eq!(
            (cells[1].clone(), cells[2].clone()),
            (json!("kube-system/metrics"), json!("False (MissingEndpoints)"))
        );
        assert_eq!(api_service_cells(&json!({}), now())[2], json!("Unknown"));
    }

    #[test]
    fn flow_schemas_and_priority_levels_print_as_upstream() {
        let fs = json!({"metadata": {"name": "exempt"}, "spec": {"priorityLevelConfiguration": {"name": "exempt"}, "matchingPrecedence": 1},
            "status": {"conditions": [{"type": "Dangling", "status": "False"}]}});
        let cells = flow_schema_cells(&fs, now());
        assert_eq!(cells[..4], [json!("exempt"), json!("exempt"), json!(1), json!("<none>")]);
        assert_eq!(cells[5], json!("False"));
        assert_eq!(flow_schema_cells(&json!({}), now())[5], json!("?"));
        let pl = json!({"metadata": {"name": "system"}, "spec": {"type": "Limited", "limited": {"nominalConcurrencyShares": 30,
            "limitResponse": {"type": "Queue", "queuing": {"queues": 64, "handSize": 6, "queueLengthLimit": 50}}}}});
        assert_eq!(
            priority_level_cells(&pl, now())[..6],
            [json!("system"), json!("Limited"), json!(30), json!(64), json!(6), json!(50)]
        );
        let exempt = json!({"spec": {"type": "Exempt", "exempt": {}}});
        assert_eq!(
            priority_level_cells(&exempt, now())[2..6],
            [json!("<none>"), json!("<none>"), json!("<none>"), json!("<none>")]
        );
    }

    #[test]
    fn flow_schema_lists_print_by_precedence_then_name() {
        let row = |name: &str, precedence: i64| json!({"cells": [name, "pl", precedence, "ByUser", "1s", "False"]});
        let mut rows = vec![row("b", 100), row("a", 100), row("z", 1)];
        sort_flow_schema_rows(&mut rows);
        assert_eq!(rows, [row("z", 1), row("a", 100), row("b", 100)]);
    }

    #[test]
    fn admission_policies_show_validations_and_params() {
        let policy = json!({"metadata": {"name": "p"}, "spec": {"validations": [{"expression": "true"}]}});
        assert_eq!(validating_admission_policy_cells(&policy, now())[1..3], [json!(1), json!("<unset>")]);
        let binding = json!({"spec": {"policyName": "p", "paramRef": {"name": "cfg"}}});
        assert_eq!(validating_admission_policy_binding_cells(&binding, now())[1..3], [json!("p"), json!("*/cfg")]);
    }
}
