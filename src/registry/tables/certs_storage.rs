//! Printers of certificates.k8s.io (CertificateSigningRequest) and storage.k8s.io (CSIDriver,
//! CSINode, CSIStorageCapacity, VolumeAttachment; StorageClass's is in `more_kinds`), as
//! upstream's `printers.go` declares them.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;

use super::{age, arr_at, col, name_cell, opt_int_at, present, s, str_at, Column, Printer, AGE, NAME};
use crate::machinery::duration;

const CSR_COLUMNS: &[Column] = &[
    NAME,
    AGE,
    col("SignerName", "string", "Requested signer for the request. It is a qualified name in the form: `scope-hostname.io/name`. If empty, it will be defaulted:\n 1. If it's a kubelet client certificate, it is assigned\n    \"kubernetes.io/kube-apiserver-client-kubelet\".\n 2. If it's a kubelet serving certificate, it is assigned\n    \"kubernetes.io/kubelet-serving\".\n 3. Otherwise, it is assigned \"kubernetes.io/legacy-unknown\".\nDistribution of trust for signers happens out of band. You can select on this field using `spec.signerName`."),
    col("Requestor", "string", "Base64-encoded PKCS#10 CSR data"),
    col("RequestedDuration", "string", "expirationSeconds is the requested duration of validity of the issued certificate. The certificate signer may issue a certificate with a different validity duration so a client must check the delta between the notBefore and and notAfter fields in the issued certificate to determine the actual duration.\n\nThe v1.22+ in-tree implementations of the well-known Kubernetes signers will honor this field as long as the requested duration is not greater than the maximum duration they will honor per the --cluster-signing-duration CLI flag to the Kubernetes controller manager.\n\nCertificate signers may not honor this field for various reasons:\n\n  1. Old signer that is unaware of the field (such as the in-tree\n     implementations prior to v1.22)\n  2. Signer whose configured maximum is shorter than the requested duration\n  3. Signer whose configured minimum is longer than the requested duration\n\nThe minimum valid value for expirationSeconds is 600, i.e. 10 minutes."),
    col("Condition", "string", "Conditions applied to the request, such as approval or denial."),
];

pub static CERTIFICATE_SIGNING_REQUEST: Printer = Printer { columns: CSR_COLUMNS, cells: csr_cells };

fn csr_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let signer = match str_at(o, "/spec/signerName") {
        "" => "<none>",
        signer => signer,
    };
    let requested = match opt_int_at(o, "/spec/expirationSeconds") {
        Some(seconds) => duration::human(TimeDelta::seconds(seconds)),
        None => "<none>".to_string(),
    };
    vec![name_cell(o), s(age(o, now)), s(signer), s(str_at(o, "/spec/username")), s(requested), s(csr_condition(o))]
}

/// Upstream's `extractCSRStatus`: Denied over Approved over Pending, then Failed and Issued.
pub(crate) fn csr_condition(o: &Value) -> String {
    let has = |kind: &str| arr_at(o, "/status/conditions").iter().any(|c| str_at(c, "/type") == kind);
    let mut status = if has("Denied") {
        "Denied"
    } else if has("Approved") {
        "Approved"
    } else {
        "Pending"
    }
    .to_string();
    if has("Failed") {
        status.push_str(",Failed");
    }
    if !str_at(o, "/status/certificate").is_empty() {
        status.push_str(",Issued");
    }
    status
}

const CSI_DRIVER_COLUMNS: &[Column] = &[
    NAME,
    col("AttachRequired", "boolean", "attachRequired indicates this CSI volume driver requires an attach operation (because it implements the CSI ControllerPublishVolume() method), and that the Kubernetes attach detach controller should call the attach volume interface which checks the volumeattachment status and waits until the volume is attached before proceeding to mounting. The CSI external-attacher coordinates with CSI volume driver and updates the volumeattachment status when the attach operation is complete. If the CSIDriverRegistry feature gate is enabled and the value is specified to false, the attach operation will be skipped. Otherwise the attach operation will be called.\n\nThis field is immutable."),
    col("PodInfoOnMount", "boolean", "podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations, if set to true. If set to false, pod information will not be passed on mount. Default is false.\n\nThe CSI driver specifies podInfoOnMount as part of driver deployment. If true, Kubelet will pass pod information as VolumeContext in the CSI NodePublishVolume() calls. The CSI driver is responsible for parsing and validating the information passed in as VolumeContext.\n\nThe following VolumeContext will be passed if podInfoOnMount is set to true. This list might grow, but the prefix will be used. \"csi.storage.k8s.io/pod.name\": pod.Name \"csi.storage.k8s.io/pod.namespace\": pod.Namespace \"csi.storage.k8s.io/pod.uid\": string(pod.UID) \"csi.storage.k8s.io/ephemeral\": \"true\" if the volume is an ephemeral inline volume\n                                defined by a CSIVolumeSource, otherwise \"false\"\n\n\"csi.storage.k8s.io/ephemeral\" is a new feature in Kubernetes 1.16. It is only required for drivers which support both the \"Persistent\" and \"Ephemeral\" VolumeLifecycleMode. Other drivers can leave pod info disabled and/or ignore this field. As Kubernetes 1.15 doesn't support this field, drivers can only support one mode when deployed on such a cluster and the deployment determines which mode that is, for example via a command line parameter of the driver.\n\nThis field was immutable in Kubernetes < 1.29 and now is mutable."),
    col("StorageCapacity", "boolean", "storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report by creating CSIStorageCapacity objects with capacity information, if set to true.\n\nThe check can be enabled immediately when deploying a driver. In that case, provisioning new volumes with late binding will pause until the driver deployment has published some suitable CSIStorageCapacity object.\n\nAlternatively, the driver can be deployed with the field unset or false and it can be flipped later when storage capacity information has been published.\n\nThis field was immutable in Kubernetes <= 1.22 and now is mutable."),
    col("TokenRequests", "string", "tokenRequests indicates the CSI driver needs pods' service account tokens it is mounting volume for to do necessary authentication. Kubelet will pass the tokens in VolumeContext in the CSI NodePublishVolume calls. The CSI driver should parse and validate the following VolumeContext: \"csi.storage.k8s.io/serviceAccount.tokens\": {\n  \"<audience>\": {\n    \"token\": <token>,\n    \"expirationTimestamp\": <expiration timestamp in RFC3339>,\n  },\n  ...\n}\n\nNote: Audience in each TokenRequest should be different and at most one token is empty string. To receive a new token after expiry, RequiresRepublish can be used to trigger NodePublishVolume periodically."),
    col("RequiresRepublish", "boolean", "requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume. This field defaults to false.\n\nNote: After a successful initial NodePublishVolume call, subsequent calls to NodePublishVolume should only update the contents of the volume. New mount points will not be seen by a running container."),
    col("Modes", "string", "volumeLifecycleModes defines what kind of volumes this CSI volume driver supports. The default if the list is empty is \"Persistent\", which is the usage defined by the CSI specification and implemented in Kubernetes via the usual PV/PVC mechanism.\n\nThe other mode is \"Ephemeral\". In this mode, volumes are defined inline inside the pod spec with CSIVolumeSource and their lifecycle is tied to the lifecycle of that pod. A driver has to be aware of this because it is only going to get a NodePublishVolume call for such a volume.\n\nFor more information about implementing this mode, see https://kubernetes-csi.github.io/docs/ephemeral-local-volumes.html A driver can support one or more of these modes and more modes may be added in the future.\n\nThis field is beta. This field is immutable."),
    AGE,
];

pub static CSI_DRIVER: Printer = Printer { columns: CSI_DRIVER_COLUMNS, cells: csi_driver_cells };

fn csi_driver_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let flag =
        |pointer: &str, default: bool| Value::Bool(o.pointer(pointer).and_then(Value::as_bool).unwrap_or(default));
    let token_requests = if present(o, "/spec/tokenRequests") {
        arr_at(o, "/spec/tokenRequests").iter().map(|t| str_at(t, "/audience")).collect::<Vec<_>>().join(",")
    } else {
        "<unset>".to_string()
    };
    let modes = arr_at(o, "/spec/volumeLifecycleModes").iter().filter_map(Value::as_str).collect::<Vec<_>>().join(",");
    vec![
        name_cell(o),
        flag("/spec/attachRequired", true),
        flag("/spec/podInfoOnMount", false),
        flag("/spec/storageCapacity", false),
        s(token_requests),
        flag("/spec/requiresRepublish", false),
        s(if modes.is_empty() { "<none>".to_string() } else { modes }),
        s(age(o, now)),
    ]
}

const CSI_NODE_COLUMNS: &[Column] =
    &[NAME, col("Drivers", "integer", "Drivers indicates the number of CSI drivers registered on the node"), AGE];

pub static CSI_NODE: Printer = Printer { columns: CSI_NODE_COLUMNS, cells: csi_node_cells };

fn csi_node_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![name_cell(o), Value::from(arr_at(o, "/spec/drivers").len()), s(age(o, now))]
}

/// Upstream's table has no AGE column for CSIStorageCapacity.
const CSI_STORAGE_CAPACITY_COLUMNS: &[Column] = &[
    NAME,
    col("StorageClassName", "string", "storageClassName represents the name of the StorageClass that the reported capacity applies to. It must meet the same requirements as the name of a StorageClass object (non-empty, DNS subdomain). If that object no longer exists, the CSIStorageCapacity object is obsolete and should be removed by its creator. This field is immutable."),
    col("Capacity", "string", "capacity is the value reported by the CSI driver in its GetCapacityResponse for a GetCapacityRequest with topology and parameters that match the previous fields.\n\nThe semantic is currently (CSI spec 1.2) defined as: The available capacity, in bytes, of the storage that can be used to provision volumes. If not set, that information is currently unavailable."),
];

pub static CSI_STORAGE_CAPACITY: Printer =
    Printer { columns: CSI_STORAGE_CAPACITY_COLUMNS, cells: csi_storage_capacity_cells };

fn csi_storage_capacity_cells(o: &Value, _now: DateTime<Utc>) -> Vec<Value> {
    let capacity = match o.get("capacity") {
        Some(Value::String(q)) => q.clone(),
        Some(Value::Number(q)) => q.to_string(),
        _ => "<unset>".to_string(),
    };
    vec![name_cell(o), s(str_at(o, "/storageClassName")), s(capacity)]
}

/// Upstream gives ATTACHER the `name` format too; kctl keeps one name column per table.
const VOLUME_ATTACHMENT_COLUMNS: &[Column] = &[
    NAME,
    col("Attacher", "string", "attacher indicates the name of the volume driver that MUST handle this request. This is the name returned by GetPluginName()."),
    col("PV", "string", "persistentVolumeName represents the name of the persistent volume to attach."),
    col("Node", "string", "nodeName represents the node that the volume should be attached to."),
    col("Attached", "boolean", "attached indicates the volume is successfully attached. This field must only be set by the entity completing the attach operation, i.e. the external-attacher."),
    AGE,
];

pub static VOLUME_ATTACHMENT: Printer = Printer { columns: VOLUME_ATTACHMENT_COLUMNS, cells: volume_attachment_cells };

fn volume_attachment_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![
        name_cell(o),
        s(str_at(o, "/spec/attacher")),
        s(str_at(o, "/spec/source/persistentVolumeName")),
        s(str_at(o, "/spec/nodeName")),
        Value::Bool(o.pointer("/status/attached").and_then(Value::as_bool).unwrap_or(false)),
        s(age(o, now)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn csr_condition_orders_denied_over_approved_and_appends_failed_and_issued() {
        let csr = json!({"status": {"conditions": [{"type": "Approved"}, {"type": "Failed"}], "certificate": "eA=="}});
        assert_eq!(csr_condition(&csr), "Approved,Failed,Issued");
        assert_eq!(csr_condition(&json!({})), "Pending");
        assert_eq!(
            csr_condition(&json!({"status": {"conditions": [{"type": "Approved"}, {"type": "Denied"}]}})),
            "Denied"
        );
    }

    #[test]
    fn csr_row_shows_signer_requestor_and_duration() {
        let csr = json!({"metadata": {"name": "c"}, "spec": {"signerName": "kubernetes.io/kube-apiserver-client", "username": "admin", "expirationSeconds": 86400}});
        let cells = csr_cells(&csr, Utc::now());
        assert_eq!(cells[2], "kubernetes.io/kube-apiserver-client");
        assert_eq!(cells[3], "admin");
        assert_eq!(cells[4], "24h");
        assert_eq!(cells[5], "Pending");
    }

    #[test]
    fn csi_driver_row_reads_unset_fields_as_upstream_defaults() {
        let cells = csi_driver_cells(&json!({"metadata": {"name": "d"}}), Utc::now());
        assert_eq!(
            &cells[1..7],
            &[json!(true), json!(false), json!(false), json!("<unset>"), json!(false), json!("<none>")]
        );
        let cells = csi_driver_cells(
            &json!({"spec": {"tokenRequests": [{"audience": "a"}, {"audience": "b"}], "volumeLifecycleModes": ["Persistent", "Ephemeral"]}}),
            Utc::now(),
        );
        assert_eq!(cells[4], "a,b");
        assert_eq!(cells[6], "Persistent,Ephemeral");
    }

    #[test]
    fn every_printer_has_one_cell_per_column() {
        for printer in [&CERTIFICATE_SIGNING_REQUEST, &CSI_DRIVER, &CSI_NODE, &CSI_STORAGE_CAPACITY, &VOLUME_ATTACHMENT]
        {
            for object in [json!(null), json!({}), json!({"spec": 1, "status": []})] {
                assert_eq!((printer.cells)(&object, Utc::now()).len(), printer.columns.len());
            }
        }
    }
}
