# How the 1.32 kinds of admissionregistration, apiextensions, apiregistration, flowcontrol, node
# and storage were listed (run from the repository root; apiextensions proto/types from
# kubernetes/apiextensions-apiserver v0.32.0 were put under /tmp/pproto first).
K=/work/k8s-1.32/staging/src/k8s.io; A=$K/api; G=$K/kube-aggregator/pkg/apis/apiregistration/v1
r() { echo "$A/$1/generated.proto:$A/$1/types*.go:api.${1//\//.}:$2:$3"; }
python3 src/apiserver/protobuf/proto/derive_listing.py src/apiserver/protobuf/descriptors.txt \
 $(r core/v1 v1 -) "$K/apimachinery/pkg/apis/meta/v1/generated.proto:$K/apimachinery/pkg/apis/meta/v1/types*.go:apimachinery.pkg.apis.meta.v1:-:-"  $(r admissionregistration/v1 admissionregistration.k8s.io/v1 MutatingWebhookConfiguration) \
 $(r admissionregistration/v1 admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration) \
 $(r admissionregistration/v1 admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy) \
 $(r admissionregistration/v1 admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding) \
 "/tmp/pproto/apiextensions.proto:/tmp/pproto/apiextensions_types*.go:apiextensions_apiserver.pkg.apis.apiextensions.v1:apiextensions.k8s.io/v1:CustomResourceDefinition" \
 "$G/generated.proto:$G/types*.go:kube_aggregator.pkg.apis.apiregistration.v1:apiregistration.k8s.io/v1:APIService" \
 $(r flowcontrol/v1 flowcontrol.apiserver.k8s.io/v1 FlowSchema) \
 $(r flowcontrol/v1 flowcontrol.apiserver.k8s.io/v1 PriorityLevelConfiguration) \
 $(r node/v1 node.k8s.io/v1 RuntimeClass) \
 $(r storage/v1 storage.k8s.io/v1 CSIDriver) \
 $(r storage/v1 storage.k8s.io/v1 CSINode) \
 $(r storage/v1 storage.k8s.io/v1 CSIStorageCapacity) \
 $(r storage/v1 storage.k8s.io/v1 StorageClass) \
 $(r storage/v1 storage.k8s.io/v1 VolumeAttachment)
