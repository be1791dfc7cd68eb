//! The OpenAPI v3 documents served at /openapi/v3 (kubectl apply and explain read them).
