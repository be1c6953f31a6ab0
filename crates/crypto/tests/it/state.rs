//! Device state at rest: round trips through both stores, encryption, wrong keys.

use alcove_crypto::{
    ConversationKind, Device, ErrorKind, FileStateStore, Incoming, MemoryStateStore, Payload,
    PayloadKind, StateKey, StateStore,
};

use crate::device;

#[test]
fn state_survives_a_restart_and_hides_its_content() {
    let mut c1 = device("clinician-7f3a", "c1");
    let mut a1 = device("client-9b2e", "a1");
    let conv = c1
        .create_conversation(ConversationKind::CareRelationship)
        .expect("create");
    let commit = c1
        .add_devices(&conv, &[a1.key_package().expect("kp")])
        .expect("add");
    c1.merge_pending_commit(&conv).expect("merge");
    a1.join(&commit.welcome.expect("welcome")).expect("join");
    let spare_kp = a1.key_package().expect("kp");

    let dir = std::env::temp_dir().join(format!("alcove-crypto-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = FileStateStore::new(dir.join("device.state"));
    let key = StateKey::generate();
    assert!(Device::load(&file, &key).expect("empty load").is_none());
    a1.save(&file, &key).expect("save");
    let sealed = std::fs::read(dir.join("device.state")).expect("read");
    for needle in [
        b"client-9b2e".as_slice(),
        b"alcove:v1:".as_slice(),
        conv.as_bytes(),
        a1.signature_public_key(),
    ] {
        assert!(
            !sealed.windows(needle.len()).any(|w| w == needle),
            "plaintext at rest"
        );
    }
    // Two saves of the same state differ (fresh nonce).
    assert_ne!(
        a1.export_state(&key).expect("export"),
        a1.export_state(&key).expect("export")
    );
    drop(a1);

    let mut a1 = Device::load(&file, &key).expect("load").expect("stored");
    assert_eq!(a1.epoch(&conv), Ok(1));
    let m = c1
        .encrypt(&conv, &Payload::text("after restart"))
        .expect("encrypt");
    match a1.process(&conv, &m).expect("process") {
        Incoming::Application { payload, .. } => {
            assert_eq!(payload.kind, PayloadKind::Text("after restart".into()))
        }
        other => panic!("{other:?}"),
    }
    let reply = a1.encrypt(&conv, &Payload::text("reply")).expect("encrypt");
    assert!(matches!(
        c1.process(&conv, &reply),
        Ok(Incoming::Application { .. })
    ));
    // The key package made before the restart still joins.
    let conv2 = c1
        .create_conversation(ConversationKind::CareRelationship)
        .expect("create");
    let commit = c1.add_devices(&conv2, &[spare_kp]).expect("add");
    assert_eq!(
        a1.join(&commit.welcome.expect("welcome")).as_ref(),
        Ok(&conv2)
    );

    // A wrong key, an altered byte and a truncated blob all fail.
    assert_eq!(
        Device::load(&file, &StateKey::generate())
            .map(|_| ())
            .map_err(|e| e.kind()),
        Err(ErrorKind::WrongKey)
    );
    let mut altered = sealed.clone();
    let last = altered.len() - 1;
    altered[last] ^= 1;
    assert_eq!(
        Device::restore_state(&altered, &key)
            .map(|_| ())
            .map_err(|e| e.kind()),
        Err(ErrorKind::WrongKey)
    );
    assert!(Device::restore_state(&sealed[..20], &key).is_err());
    assert!(Device::restore_state(b"", &key).is_err());
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn memory_store_round_trip() {
    let store = MemoryStateStore::new();
    let key = StateKey::from_bytes([42; 32]);
    assert!(store.load().expect("load").is_none());
    let mut d = device("u1", "d1");
    let conv = d
        .create_conversation(ConversationKind::Consultation)
        .expect("create");
    d.save(&store, &key).expect("save");
    let restored = Device::load(&store, &key).expect("load").expect("stored");
    assert_eq!(restored.identity(), d.identity());
    assert_eq!(restored.signature_public_key(), d.signature_public_key());
    assert_eq!(restored.conversations(), vec![conv]);
}
