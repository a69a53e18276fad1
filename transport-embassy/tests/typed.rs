//! Typed calls (feature `alloc`) with the generated CVM models through the real embassy-net
//! stack, against the emulator (which verifies every signature).

mod support;

use support::*;
use tencentcloud_core::request::Endpoint;
use tencentcloud_cvm::v20170312::{DescribeInstancesRequest, Filter};
use tencentcloud_embassy_host::{HostNet, OsRandom, block_on};
use tencentcloud_transport_embassy::Client;
use tencentcloud_transport_embassy::net::Connector;
use tencentcloud_transport_embassy::pki::TrustAnchor;

fn by_zone(zone: &str) -> DescribeInstancesRequest {
    let mut f = Filter::default();
    f.name = Some("zone".into());
    f.values = Some(vec![zone.into()]);
    let mut req = DescribeInstancesRequest::default();
    req.filters = Some(vec![f]);
    req.limit = Some(5);
    req
}

#[test]
fn typed_describe_instances_with_filters_over_tls() {
    block_on(async {
        let emu = emulator(true).await;
        let net = HostNet::start(None).await;
        net.forward(443, emu.addr()).await;
        let ca = emu.ca_der().unwrap();
        let mut bufs = DeviceBuffers::new();
        let mut rng = OsRandom::new().unwrap();
        let mut connector = Connector::new(net.device, bufs.buffers(), TrustAnchor::from_der(&ca).unwrap(), &mut rng);
        let mut client: Client<'_, _> = Client::new(credential(), TestClock::system());
        let mut buf = [0u8; 8192];
        let zone = format!("{REGION}-3");
        let resp = client
            .send(&mut connector, &by_zone(&zone), Some(REGION), Endpoint::Host("localhost"), &mut buf)
            .await
            .unwrap();
        assert_eq!(resp.total_count, Some(1));
        let set = resp.instance_set.unwrap();
        assert_eq!(set[0].placement.as_ref().and_then(|p| p.zone.as_deref()), Some(zone.as_str()));

        let requests = emu.requests();
        assert_eq!(requests.len(), 1);
        let r = &requests[0];
        assert!(r.verification.is_verified(), "{:?}", r.verification);
        assert_eq!(r.action.as_deref(), Some("DescribeInstances"));
        assert_eq!(resp.request_id.as_deref(), Some(r.request_id.as_str()));
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body, serde_json::json!({"Filters": [{"Name": "zone", "Values": [zone]}], "Limit": 5}));
    });
}

#[test]
fn typed_api_error_keeps_its_code() {
    block_on(async {
        let emu = emulator(true).await;
        let net = HostNet::start(None).await;
        net.forward(443, emu.addr()).await;
        let ca = emu.ca_der().unwrap();
        let mut bufs = DeviceBuffers::new();
        let mut rng = OsRandom::new().unwrap();
        let mut connector = Connector::new(net.device, bufs.buffers(), TrustAnchor::from_der(&ca).unwrap(), &mut rng);
        let mut client: Client<'_, _> = Client::new(credential(), TestClock::system());
        let mut buf = [0u8; 8192];
        let mut bad = by_zone("x");
        bad.filters.as_mut().unwrap()[0].name = Some("bogus".into());
        let err =
            client.send(&mut connector, &bad, Some(REGION), Endpoint::Host("localhost"), &mut buf).await.unwrap_err();
        assert_eq!(err.api_code(), Some("InvalidFilter"), "{err}");
        assert!(emu.requests()[0].verification.is_verified());
    });
}
