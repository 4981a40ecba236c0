pub(crate) mod pcap;
