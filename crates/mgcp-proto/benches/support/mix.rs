//! A realistic mix of messages a gateway and a call agent exchange, shared
//! by the codec benchmark and the no-allocation test.

/// AUEP, RQNT, NTFY, CRCX with SDP, 200 with SDP, 250 with statistics,
/// MDCX, DLCX and a plain 200, in CRLF form as Cisco and osmo-mgw send.
pub(crate) const MIX: &[&str] = &[
    "AUEP 1500 aaln/1@rgw-2567.whatever.net MGCP 1.0\r\nF: R,D,S,X,N,I,T,O,ES\r\n",
    "RQNT 1201 aaln/1@rgw-2567.whatever.net MGCP 1.0\r\nN: ca@ca1.whatever.net:5678\r\nX: 0123456789AC\r\nR: L/hd(N)\r\nS: L/dl\r\nD: (0T|00T|[1-7]xxx|8xxxxxxx|#xxxxxxx|*xx|91xxxxxxxxxx|9011x.T)\r\n",
    "NTFY 2002 aaln/1@rgw-2567.whatever.net MGCP 1.0\r\nN: ca@ca1.whatever.net:5678\r\nX: 0123456789AC\r\nO: L/hd,D/9,D/1,D/2,D/0,D/1,D/8,D/2,D/9,D/4,D/2,D/6,D/6\r\n",
    "CRCX 1204 aaln/1@rgw-2567.whatever.net MGCP 1.0\r\nC: A3C47F21456789F0\r\nL: p:10, a:PCMU\r\nM: recvonly\r\nX: 0123456789AD\r\nR: L/hu\r\nS: L/rg\r\n\r\nv=0\r\no=- 25678 753849 IN IP4 128.96.41.1\r\ns=-\r\nc=IN IP4 128.96.41.1\r\nt=0 0\r\nm=audio 3456 RTP/AVP 0\r\n",
    "200 1204 OK\r\nI: FDE234C8\r\n\r\nv=0\r\no=- 25678 753849 IN IP4 128.96.41.1\r\ns=-\r\nc=IN IP4 128.96.41.1\r\nt=0 0\r\nm=audio 3456 RTP/AVP 96\r\na=rtpmap:96 G726-32/8000\r\n",
    "250 1210 OK\r\nP: PS=1245, OS=62345, PR=780, OR=45123, PL=10, JI=27, LA=48\r\n",
    "MDCX 1209 aaln/1@rgw-2567.whatever.net MGCP 1.0\r\nC: A3C47F21456789F0\r\nI: FDE234C8\r\nN: ca@ca1.whatever.net\r\nM: sendrecv\r\nX: 0123456789AE\r\nR: L/hu\r\nS:\r\n",
    "DLCX 1210 aaln/1@rgw-2567.whatever.net MGCP 1.0\r\nC: A3C47F21456789F0\r\nI: FDE234C8\r\n",
    "200 1201 OK\r\n",
];
