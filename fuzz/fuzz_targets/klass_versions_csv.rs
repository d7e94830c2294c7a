#![no_main]
// A panic, a broken property or an allocation over libFuzzer's -malloc_limit_mb is a finding.
libfuzzer_sys::fuzz_target!(|data: &[u8]| statbank::fuzz::Target::KlassVersionsCsv.check(data).unwrap());
