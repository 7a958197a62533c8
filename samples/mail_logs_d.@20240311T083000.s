Mon Mar 11 08:30:00 2024 Info: Begin Logfile
Mon Mar 11 08:30:00 2024 Info: Version: 15.0.1-030 SN: 4229C1A8E2F7B0D63E15-9F04C2A1B7D8
Mon Mar 11 08:30:00 2024 Info: Time offset from UTC: 3600 seconds
Mon Mar 11 08:30:04 2024 Info: New SMTP ICID 773101 interface Data 1 (10.0.3.10) address 192.0.2.77 reverse dns host mail.sender.example verified yes
Mon Mar 11 08:30:04 2024 Info: ICID 773101 ACCEPT SG UNKNOWNLIST match sbrs[-1.0:10.0] SBRS 3.4 country not enabled
Mon Mar 11 08:30:04 2024 Info: ICID 773101 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384
Mon Mar 11 08:30:04 2024 Info: Start MID 441101 ICID 773101
Mon Mar 11 08:30:04 2024 Info: MID 441101 ICID 773101 From: <news@sender.example>
Mon Mar 11 08:30:04 2024 Info: MID 441101 ICID 773101 RID 0 To: <alice@example.com>
Mon Mar 11 08:30:04 2024 Debug: MID 441101 ICID 773101 TLS read 126 bytes (0.0 seconds)
Mon Mar 11 08:30:04 2024 Info: MID 441101 Message-ID '<20240311073003.4F2A1C0B9E@mail.sender.example>'
Mon Mar 11 08:30:04 2024 Info: MID 441101 Subject 'March newsletter'
Mon Mar 11 08:30:04 2024 Info: MID 441101 ready 18422 bytes from <news@sender.example>
Mon Mar 11 08:30:04 2024 Info: MID 441101 matched all recipients for per-recipient policy DEFAULT in the inbound table
Mon Mar 11 08:30:04 2024 Info: ICID 773101 close
Mon Mar 11 08:30:05 2024 Info: MID 441101 interim verdict using engine: CASE spam negative
Mon Mar 11 08:30:05 2024 Info: MID 441101 using engine: CASE spam negative
Mon Mar 11 08:30:05 2024 Info: MID 441101 interim AV verdict using Sophos CLEAN
Mon Mar 11 08:30:05 2024 Info: MID 441101 antivirus negative
Mon Mar 11 08:30:05 2024 Info: MID 441101 using engine: GRAYMAIL negative
Mon Mar 11 08:30:05 2024 Info: MID 441101 Outbreak Filters: verdict negative
Mon Mar 11 08:30:05 2024 Info: MID 441101 queued for delivery
Mon Mar 11 08:30:06 2024 Info: New SMTP DCID 219101 interface 10.0.3.10 address 10.0.2.25 port 25
Mon Mar 11 08:30:06 2024 Info: Delivery start DCID 219101 MID 441101 to RID [0]
Mon Mar 11 08:30:06 2024 Info: Message done DCID 219101 MID 441101 to RID [0]
Mon Mar 11 08:30:06 2024 Info: MID 441101 RID [0] Response '2.6.0 <20240311073003.4F2A1C0B9E@mail.sender.example> [InternalId=1172526] Queued mail for delivery'
Mon Mar 11 08:30:06 2024 Info: Message finished MID 441101 done
Mon Mar 11 08:30:12 2024 Info: New SMTP ICID 773102 interface Data 1 (10.0.3.10) address 10.0.2.25 reverse dns host exch01.example.com verified yes
Mon Mar 11 08:30:12 2024 Info: ICID 773102 RELAY SG RELAYLIST match 10.0.2.0/24 SBRS not enabled country not enabled
Mon Mar 11 08:30:12 2024 Info: Start MID 441102 ICID 773102
Mon Mar 11 08:30:12 2024 Info: MID 441102 ICID 773102 From: <alice@example.com>
Mon Mar 11 08:30:12 2024 Info: MID 441102 ICID 773102 RID 0 To: <j.doe@dane-ok.example>
Mon Mar 11 08:30:12 2024 Info: MID 441102 Message-ID '<6c1f0e2a9b7d4e58a3c2b1d0e9f8a7b6@exch01.example.com>'
Mon Mar 11 08:30:12 2024 Info: MID 441102 Subject 'Re: Q1 delivery schedule'
Mon Mar 11 08:30:12 2024 Info: MID 441102 ready 48211 bytes from <alice@example.com>
Mon Mar 11 08:30:12 2024 Info: MID 441102 matched all recipients for per-recipient policy DEFAULT in the outbound table
Mon Mar 11 08:30:12 2024 Info: DCID 219101 close
Mon Mar 11 08:30:13 2024 Info: ICID 773102 close
Mon Mar 11 08:30:13 2024 Info: MID 441102 interim AV verdict using Sophos CLEAN
Mon Mar 11 08:30:13 2024 Info: MID 441102 antivirus negative
Mon Mar 11 08:30:13 2024 Info: MID 441102 Outbreak Filters: verdict negative
Mon Mar 11 08:30:13 2024 Info: MID 441102 queued for delivery
Mon Mar 11 08:30:13 2024 Debug: DNS query: Q('dane-ok.example', 'MX')
Mon Mar 11 08:30:13 2024 Debug: DNS query: QN('dane-ok.example', 'MX', 'recursive_nameserver0.parent')
Mon Mar 11 08:30:13 2024 Debug: DNS query: QIP ('dane-ok.example', 'MX', '10.0.0.53', 60)
Mon Mar 11 08:30:13 2024 Debug: DNS query: Q ('dane-ok.example', 'MX', '10.0.0.53')
Mon Mar 11 08:30:13 2024 Debug: DNSSEC Response data([(10, 'mail.dane-ok.example.')] , secure, 0, 3600)
Mon Mar 11 08:30:13 2024 Debug: DNS encache (dane-ok.example, MX, [(5240668788550065L, 0, 'SECURE', (10, 'mail.dane-ok.example'))])
Mon Mar 11 08:30:13 2024 Debug: DNS query: Q('mail.dane-ok.example', 'A')
Mon Mar 11 08:30:13 2024 Debug: DNS query: QN('mail.dane-ok.example', 'A', 'recursive_nameserver0.parent')
Mon Mar 11 08:30:13 2024 Debug: DNS query: QIP ('mail.dane-ok.example', 'A', '10.0.0.53', 60)
Mon Mar 11 08:30:13 2024 Debug: DNS query: Q ('mail.dane-ok.example', 'A', '10.0.0.53')
Mon Mar 11 08:30:13 2024 Debug: DNSSEC Response data(['203.0.113.25'], secure, 0, 3600)
Mon Mar 11 08:30:13 2024 Debug: DNS encache (mail.dane-ok.example, A, [(5240668898591295L, 0, 'SECURE', '203.0.113.25')])
Mon Mar 11 08:30:14 2024 Debug: DNS query: Q('mail.dane-ok.example', 'AAAA')
Mon Mar 11 08:30:14 2024 Debug: DNS query: QN('mail.dane-ok.example', 'AAAA', 'recursive_nameserver0.parent')
Mon Mar 11 08:30:14 2024 Debug: DNS query: QIP ('mail.dane-ok.example', 'AAAA', '10.0.0.53', 60)
Mon Mar 11 08:30:14 2024 Debug: DNS query: Q ('mail.dane-ok.example', 'AAAA', '10.0.0.53')
Mon Mar 11 08:30:14 2024 Warning: Received an invalid DNSSEC Response: DNSSEC_Error('mail.dane-ok.example', 'AAAA', '10.0.0.53', 'DNSSEC Error for hostname mail.dane-ok.example (AAAA) while asking 10.0.0.53. Error was: Unsupported qtype') of qtype AAAA looking up mail.dane-ok.example
Mon Mar 11 08:30:14 2024 Debug: DNS query: Q('mail.dane-ok.example', 'CNAME')
Mon Mar 11 08:30:14 2024 Debug: DNS query: QN('mail.dane-ok.example', 'CNAME', 'recursive_nameserver0.parent')
Mon Mar 11 08:30:14 2024 Debug: DNS query: QIP ('mail.dane-ok.example', 'CNAME', '10.0.0.53', 60)
Mon Mar 11 08:30:14 2024 Debug: DNS query: Q ('mail.dane-ok.example', 'CNAME', '10.0.0.53')
Mon Mar 11 08:30:14 2024 Debug: DNSSEC Response data([], , 0, 3600)
Mon Mar 11 08:30:14 2024 Debug: Received NODATA for domain mail.dane-ok.example type CNAME
Mon Mar 11 08:30:14 2024 Debug: No CNAME record(NoError) found for domain(mail.dane-ok.example)
Mon Mar 11 08:30:14 2024 Debug: DNS query: Q('_25._tcp.mail.dane-ok.example', 'TLSA')
Mon Mar 11 08:30:14 2024 Debug: DNS query: QN('_25._tcp.mail.dane-ok.example', 'TLSA', 'recursive_nameserver0.parent')
Mon Mar 11 08:30:14 2024 Debug: DNS query: QIP ('_25._tcp.mail.dane-ok.example', 'TLSA', '10.0.0.53', 60)
Mon Mar 11 08:30:14 2024 Debug: DNS query: Q ('_25._tcp.mail.dane-ok.example', 'TLSA', '10.0.0.53')
Mon Mar 11 08:30:14 2024 Debug: DNSSEC Response data(['030101585794a4d9e5769401c0ccc7a3d40a69fbb9097be0d1824c32ebd8f5dc4298a1'], secure, 0, 3600)
Mon Mar 11 08:30:14 2024 Debug: DNS encache (_25._tcp.mail.dane-ok.example, TLSA, [(5240669391275893L, 0, 'SECURE', '030101585794a4d9e5769401c0ccc7a3d40a69fbb9097be0d1824c32ebd8f5dc4298a1')])
Mon Mar 11 08:30:15 2024 Info: New SMTP DCID 219102 interface 10.0.3.10 address 203.0.113.25 port 25
Mon Mar 11 08:30:15 2024 Info: DCID 219102 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384 for dane-ok.example
Mon Mar 11 08:30:15 2024 Info: Delivery start DCID 219102 MID 441102 to RID [0]
Mon Mar 11 08:30:16 2024 Info: Message done DCID 219102 MID 441102 to RID [0]
Mon Mar 11 08:30:16 2024 Info: MID 441102 RID [0] Response '2.0.0 Ok: queued as 4TtXq81Ck2z9sZ3'
Mon Mar 11 08:30:16 2024 Info: Message finished MID 441102 done
Mon Mar 11 08:30:19 2024 Info: New SMTP ICID 773103 interface Data 1 (10.0.3.10) address 198.51.100.44 reverse dns host unknown verified no
Mon Mar 11 08:30:19 2024 Info: ICID 773103 ACCEPT SG UNKNOWNLIST match sbrs[-1.0:10.0] SBRS -0.6 country not enabled
Mon Mar 11 08:30:20 2024 Info: Start MID 441103 ICID 773103
Mon Mar 11 08:30:20 2024 Info: MID 441103 ICID 773103 From: <promo@offers.example.net>
Mon Mar 11 08:30:20 2024 Info: MID 441103 ICID 773103 RID 0 To: <bob@example.com>
Mon Mar 11 08:30:20 2024 Info: MID 441103 Message-ID '<8f2c.5e1a.77d0@offers.example.net>'
Mon Mar 11 08:30:20 2024 Info: MID 441103 Subject 'You have won'
Mon Mar 11 08:30:20 2024 Info: MID 441103 ready 3312 bytes from <promo@offers.example.net>
Mon Mar 11 08:30:20 2024 Info: MID 441103 matched all recipients for per-recipient policy DEFAULT in the inbound table
Mon Mar 11 08:30:20 2024 Info: ICID 773103 close
Mon Mar 11 08:30:21 2024 Info: DCID 219102 close
Mon Mar 11 08:30:21 2024 Info: MID 441103 interim verdict using engine: CASE spam positive
Mon Mar 11 08:30:21 2024 Info: MID 441103 using engine: CASE spam positive
Mon Mar 11 08:30:21 2024 Info: Message aborted MID 441103 Dropped by CASE
Mon Mar 11 08:30:21 2024 Info: Message finished MID 441103 done
Mon Mar 11 08:31:28 2024 Info: New SMTP ICID 773104 interface Data 1 (10.0.3.10) address 10.0.2.25 reverse dns host exch01.example.com verified yes
Mon Mar 11 08:31:28 2024 Info: ICID 773104 RELAY SG RELAYLIST match 10.0.2.0/24 SBRS not enabled country not enabled
Mon Mar 11 08:31:28 2024 Info: Start MID 441104 ICID 773104
Mon Mar 11 08:31:28 2024 Info: MID 441104 ICID 773104 From: <bob@example.com>
Mon Mar 11 08:31:28 2024 Info: MID 441104 ICID 773104 RID 0 To: <sales@no-dnssec.example>
Mon Mar 11 08:31:28 2024 Info: MID 441104 Message-ID '<0b9e4d7c2a1f4f6e8d5c3b2a19f0e8d7@exch01.example.com>'
Mon Mar 11 08:31:28 2024 Info: MID 441104 Subject 'Order 2024-0311'
Mon Mar 11 08:31:28 2024 Info: MID 441104 ready 12877 bytes from <bob@example.com>
Mon Mar 11 08:31:28 2024 Info: MID 441104 matched all recipients for per-recipient policy DEFAULT in the outbound table
Mon Mar 11 08:31:28 2024 Info: ICID 773104 close
Mon Mar 11 08:31:28 2024 Info: MID 441104 interim AV verdict using Sophos CLEAN
Mon Mar 11 08:31:28 2024 Info: MID 441104 antivirus negative
Mon Mar 11 08:31:28 2024 Info: MID 441104 Outbreak Filters: verdict negative
Mon Mar 11 08:31:28 2024 Info: MID 441104 queued for delivery
Mon Mar 11 08:31:28 2024 Debug: DNS query: Q('no-dnssec.example', 'MX')
Mon Mar 11 08:31:28 2024 Debug: DNS query: QN('no-dnssec.example', 'MX', 'recursive_nameserver0.parent')
Mon Mar 11 08:31:28 2024 Debug: DNS query: QIP ('no-dnssec.example', 'MX', '10.0.0.53', 60)
Mon Mar 11 08:31:28 2024 Debug: DNS query: Q ('no-dnssec.example', 'MX', '10.0.0.53')
Mon Mar 11 08:31:29 2024 Debug: DNSSEC Response data([(10, 'mx.no-dnssec.example.')] , insecure, 0, 3600)
Mon Mar 11 08:31:29 2024 Debug: DNS encache (no-dnssec.example, MX, [(5240763011353348L, 0, 'INSECURE', (10, 'mx.no-dnssec.example'))])
Mon Mar 11 08:31:29 2024 Debug: DNS query: Q('mx.no-dnssec.example', 'A')
Mon Mar 11 08:31:29 2024 Debug: DNS query: QN('mx.no-dnssec.example', 'A', 'recursive_nameserver0.parent')
Mon Mar 11 08:31:29 2024 Debug: DNS query: QIP ('mx.no-dnssec.example', 'A', '10.0.0.53', 60)
Mon Mar 11 08:31:29 2024 Debug: DNS query: Q ('mx.no-dnssec.example', 'A', '10.0.0.53')
Mon Mar 11 08:31:29 2024 Debug: DNSSEC Response data(['198.51.100.17', '198.51.100.18'], insecure, 0, 300)
Mon Mar 11 08:31:29 2024 Debug: DNS encache (mx.no-dnssec.example, A, [(5236636575265379L, 0, 'INSECURE', '198.51.100.17'), (5236636575265379L, 0, 'INSECURE', '198.51.100.18')])
Mon Mar 11 08:31:29 2024 Debug: DNS query: Q('mx.no-dnssec.example', 'AAAA')
Mon Mar 11 08:31:29 2024 Debug: DNS query: QN('mx.no-dnssec.example', 'AAAA', 'recursive_nameserver0.parent')
Mon Mar 11 08:31:29 2024 Debug: DNS query: QIP ('mx.no-dnssec.example', 'AAAA', '10.0.0.53', 60)
Mon Mar 11 08:31:29 2024 Debug: DNS query: Q ('mx.no-dnssec.example', 'AAAA', '10.0.0.53')
Mon Mar 11 08:31:29 2024 Debug: DNSSEC Response data([], , 0, 300)
Mon Mar 11 08:31:29 2024 Debug: Received NODATA for domain mx.no-dnssec.example type AAAA
Mon Mar 11 08:31:29 2024 Debug: DNS query: Q('mx.no-dnssec.example', 'CNAME')
Mon Mar 11 08:31:29 2024 Debug: DNS query: QN('mx.no-dnssec.example', 'CNAME', 'recursive_nameserver0.parent')
Mon Mar 11 08:31:29 2024 Debug: DNS query: QIP ('mx.no-dnssec.example', 'CNAME', '10.0.0.53', 60)
Mon Mar 11 08:31:29 2024 Debug: DNS query: Q ('mx.no-dnssec.example', 'CNAME', '10.0.0.53')
Mon Mar 11 08:31:29 2024 Debug: DNSSEC Response data([], , 0, 300)
Mon Mar 11 08:31:29 2024 Debug: Received NODATA for domain mx.no-dnssec.example type CNAME
Mon Mar 11 08:31:29 2024 Debug: No CNAME record(NoError) found for domain(mx.no-dnssec.example)
Mon Mar 11 08:31:29 2024 Debug: DNS query: Q('_25._tcp.mx.no-dnssec.example', 'TLSA')
Mon Mar 11 08:31:29 2024 Debug: DNS query: QN('_25._tcp.mx.no-dnssec.example', 'TLSA', 'recursive_nameserver0.parent')
Mon Mar 11 08:31:29 2024 Debug: DNS query: QIP ('_25._tcp.mx.no-dnssec.example', 'TLSA', '10.0.0.53', 60)
Mon Mar 11 08:31:29 2024 Debug: DNS query: Q ('_25._tcp.mx.no-dnssec.example', 'TLSA', '10.0.0.53')
Mon Mar 11 08:31:29 2024 Debug: DNSSEC Response data([], , 0, 300)
Mon Mar 11 08:31:29 2024 Debug: Received NODATA for domain _25._tcp.mx.no-dnssec.example type TLSA
Mon Mar 11 08:31:29 2024 Info: New SMTP DCID 219103 interface 10.0.3.10 address 198.51.100.17 port 25
Mon Mar 11 08:31:30 2024 Info: DCID 219103 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES128-GCM-SHA256
Mon Mar 11 08:31:30 2024 Info: Delivery start DCID 219103 MID 441104 to RID [0]
Mon Mar 11 08:31:31 2024 Info: Message done DCID 219103 MID 441104 to RID [0]
Mon Mar 11 08:31:31 2024 Info: MID 441104 RID [0] Response '2.0.0 Ok: queued as 9B2E21C0A4F'
Mon Mar 11 08:31:31 2024 Info: Message finished MID 441104 done
Mon Mar 11 08:31:36 2024 Info: DCID 219103 close
Mon Mar 11 08:33:05 2024 Info: New SMTP ICID 773105 interface Data 1 (10.0.3.10) address 10.0.2.25 reverse dns host exch01.example.com verified yes
Mon Mar 11 08:33:05 2024 Info: ICID 773105 RELAY SG RELAYLIST match 10.0.2.0/24 SBRS not enabled country not enabled
Mon Mar 11 08:33:05 2024 Info: Start MID 441105 ICID 773105
Mon Mar 11 08:33:05 2024 Info: MID 441105 ICID 773105 From: <carol@example.com>
Mon Mar 11 08:33:05 2024 Info: MID 441105 ICID 773105 RID 0 To: <ops@multi-mx.example>
Mon Mar 11 08:33:05 2024 Info: MID 441105 Message-ID '<5d2a8c1e7f3b4a9c8e6d0f1a2b3c4d5e@exch01.example.com>'
Mon Mar 11 08:33:05 2024 Info: MID 441105 Subject 'Maintenance window'
Mon Mar 11 08:33:05 2024 Info: MID 441105 ready 7342 bytes from <carol@example.com>
Mon Mar 11 08:33:05 2024 Info: MID 441105 matched all recipients for per-recipient policy DEFAULT in the outbound table
Mon Mar 11 08:33:05 2024 Info: ICID 773105 close
Mon Mar 11 08:33:05 2024 Info: MID 441105 interim AV verdict using Sophos CLEAN
Mon Mar 11 08:33:05 2024 Info: MID 441105 antivirus negative
Mon Mar 11 08:33:05 2024 Info: MID 441105 Outbreak Filters: verdict negative
Mon Mar 11 08:33:05 2024 Info: MID 441105 queued for delivery
Mon Mar 11 08:33:05 2024 Debug: DNS query: Q('multi-mx.example', 'MX')
Mon Mar 11 08:33:05 2024 Debug: DNS query: QN('multi-mx.example', 'MX', 'recursive_nameserver0.parent')
Mon Mar 11 08:33:05 2024 Debug: DNS query: QIP ('multi-mx.example', 'MX', '10.0.0.53', 60)
Mon Mar 11 08:33:05 2024 Debug: DNS query: Q ('multi-mx.example', 'MX', '10.0.0.53')
Mon Mar 11 08:33:06 2024 Debug: DNSSEC Response data([(10, 'mx1.multi-mx.example.'), (20, 'mx2.multi-mx.example.')] , secure, 0, 3600)
Mon Mar 11 08:33:06 2024 Debug: DNS encache (multi-mx.example, MX, [(5240884181753324L, 0, 'SECURE', (10, 'mx1.multi-mx.example')), (5240884181753324L, 0, 'SECURE', (20, 'mx2.multi-mx.example'))])
Mon Mar 11 08:33:06 2024 Debug: DNS query: Q('mx1.multi-mx.example', 'A')
Mon Mar 11 08:33:06 2024 Debug: DNS query: QN('mx1.multi-mx.example', 'A', 'recursive_nameserver0.parent')
Mon Mar 11 08:33:06 2024 Debug: DNS query: QIP ('mx1.multi-mx.example', 'A', '10.0.0.53', 60)
Mon Mar 11 08:33:06 2024 Debug: DNS query: Q ('mx1.multi-mx.example', 'A', '10.0.0.53')
Mon Mar 11 08:33:06 2024 Debug: DNSSEC Response data(['192.0.2.41'], secure, 0, 3600)
Mon Mar 11 08:33:06 2024 Debug: DNS encache (mx1.multi-mx.example, A, [(5240884291794554L, 0, 'SECURE', '192.0.2.41')])
Mon Mar 11 08:33:06 2024 Debug: DNS query: Q('mx1.multi-mx.example', 'AAAA')
Mon Mar 11 08:33:06 2024 Debug: DNS query: QN('mx1.multi-mx.example', 'AAAA', 'recursive_nameserver0.parent')
Mon Mar 11 08:33:06 2024 Debug: DNS query: QIP ('mx1.multi-mx.example', 'AAAA', '10.0.0.53', 60)
Mon Mar 11 08:33:06 2024 Debug: DNS query: Q ('mx1.multi-mx.example', 'AAAA', '10.0.0.53')
Mon Mar 11 08:33:06 2024 Warning: Received an invalid DNSSEC Response: DNSSEC_Error('mx1.multi-mx.example', 'AAAA', '10.0.0.53', 'DNSSEC Error for hostname mx1.multi-mx.example (AAAA) while asking 10.0.0.53. Error was: Unsupported qtype') of qtype AAAA looking up mx1.multi-mx.example
Mon Mar 11 08:33:06 2024 Debug: DNS query: Q('mx1.multi-mx.example', 'CNAME')
Mon Mar 11 08:33:06 2024 Debug: DNS query: QN('mx1.multi-mx.example', 'CNAME', 'recursive_nameserver0.parent')
Mon Mar 11 08:33:06 2024 Debug: DNS query: QIP ('mx1.multi-mx.example', 'CNAME', '10.0.0.53', 60)
Mon Mar 11 08:33:06 2024 Debug: DNS query: Q ('mx1.multi-mx.example', 'CNAME', '10.0.0.53')
Mon Mar 11 08:33:06 2024 Debug: DNSSEC Response data([], , 0, 3600)
Mon Mar 11 08:33:06 2024 Debug: Received NODATA for domain mx1.multi-mx.example type CNAME
Mon Mar 11 08:33:06 2024 Debug: No CNAME record(NoError) found for domain(mx1.multi-mx.example)
Mon Mar 11 08:33:06 2024 Debug: DNS query: Q('_25._tcp.mx1.multi-mx.example', 'TLSA')
Mon Mar 11 08:33:06 2024 Debug: DNS query: QN('_25._tcp.mx1.multi-mx.example', 'TLSA', 'recursive_nameserver0.parent')
Mon Mar 11 08:33:06 2024 Debug: DNS query: QIP ('_25._tcp.mx1.multi-mx.example', 'TLSA', '10.0.0.53', 60)
Mon Mar 11 08:33:06 2024 Debug: DNS query: Q ('_25._tcp.mx1.multi-mx.example', 'TLSA', '10.0.0.53')
Mon Mar 11 08:33:06 2024 Debug: DNSSEC Response data(['030101a4353c164c6b11efadede09e6c2802d59b16684b91af2b90e9c7b8f2fc8702c2'], secure, 0, 3600)
Mon Mar 11 08:33:06 2024 Debug: DNS encache (_25._tcp.mx1.multi-mx.example, TLSA, [(5240884784479152L, 0, 'SECURE', '030101a4353c164c6b11efadede09e6c2802d59b16684b91af2b90e9c7b8f2fc8702c2')])
Mon Mar 11 08:33:06 2024 Info: New SMTP DCID 219104 interface 10.0.3.10 address 192.0.2.41 port 25
Mon Mar 11 08:33:21 2024 Info: New SMTP ICID 773106 interface Data 1 (10.0.3.10) address 198.51.100.90 reverse dns host unknown verified no
Mon Mar 11 08:33:21 2024 Info: ICID 773106 ACCEPT SG UNKNOWNLIST match sbrs[-1.0:10.0] SBRS -0.9 country not enabled
Mon Mar 11 08:33:21 2024 Info: Start MID 441106 ICID 773106
Mon Mar 11 08:33:21 2024 Info: MID 441106 ICID 773106 From: <deals@promo.example.net>
Mon Mar 11 08:33:21 2024 Info: MID 441106 ICID 773106 RID 0 To: <finance@example.com>
Mon Mar 11 08:33:21 2024 Info: MID 441106 Message-ID '<1710142401.88310@promo.example.net>'
Mon Mar 11 08:33:21 2024 Info: MID 441106 Subject 'Last chance: 80% off'
Mon Mar 11 08:33:21 2024 Info: MID 441106 ready 5120 bytes from <deals@promo.example.net>
Mon Mar 11 08:33:21 2024 Info: MID 441106 matched all recipients for per-recipient policy DEFAULT in the inbound table
Mon Mar 11 08:33:22 2024 Info: ICID 773106 close
Mon Mar 11 08:33:22 2024 Info: MID 441106 interim verdict using engine: CASE spam positive
Mon Mar 11 08:33:22 2024 Info: MID 441106 using engine: CASE spam positive
Mon Mar 11 08:33:22 2024 Info: Message aborted MID 441106 Dropped by CASE
Mon Mar 11 08:33:22 2024 Info: Message finished MID 441106 done
Mon Mar 11 08:33:37 2024 Info: Connection Error: DCID 219104 domain: multi-mx.example IP: 192.0.2.41 port: 25 details: timeout interface: 10.0.3.10 reason: network error
Mon Mar 11 08:33:37 2024 Debug: DNS query: Q('mx2.multi-mx.example', 'A')
Mon Mar 11 08:33:37 2024 Debug: DNS query: QN('mx2.multi-mx.example', 'A', 'recursive_nameserver0.parent')
Mon Mar 11 08:33:37 2024 Debug: DNS query: QIP ('mx2.multi-mx.example', 'A', '10.0.0.53', 60)
Mon Mar 11 08:33:37 2024 Debug: DNS query: Q ('mx2.multi-mx.example', 'A', '10.0.0.53')
Mon Mar 11 08:33:37 2024 Debug: DNSSEC Response data(['192.0.2.42'], secure, 0, 3600)
Mon Mar 11 08:33:37 2024 Debug: DNS encache (mx2.multi-mx.example, A, [(5240922858744771L, 0, 'SECURE', '192.0.2.42')])
Mon Mar 11 08:33:37 2024 Debug: DNS query: Q('mx2.multi-mx.example', 'AAAA')
Mon Mar 11 08:33:37 2024 Debug: DNS query: QN('mx2.multi-mx.example', 'AAAA', 'recursive_nameserver0.parent')
Mon Mar 11 08:33:37 2024 Debug: DNS query: QIP ('mx2.multi-mx.example', 'AAAA', '10.0.0.53', 60)
Mon Mar 11 08:33:37 2024 Debug: DNS query: Q ('mx2.multi-mx.example', 'AAAA', '10.0.0.53')
Mon Mar 11 08:33:37 2024 Warning: Received an invalid DNSSEC Response: DNSSEC_Error('mx2.multi-mx.example', 'AAAA', '10.0.0.53', 'DNSSEC Error for hostname mx2.multi-mx.example (AAAA) while asking 10.0.0.53. Error was: Unsupported qtype') of qtype AAAA looking up mx2.multi-mx.example
Mon Mar 11 08:33:37 2024 Debug: DNS query: Q('mx2.multi-mx.example', 'CNAME')
Mon Mar 11 08:33:37 2024 Debug: DNS query: QN('mx2.multi-mx.example', 'CNAME', 'recursive_nameserver0.parent')
Mon Mar 11 08:33:37 2024 Debug: DNS query: QIP ('mx2.multi-mx.example', 'CNAME', '10.0.0.53', 60)
Mon Mar 11 08:33:37 2024 Debug: DNS query: Q ('mx2.multi-mx.example', 'CNAME', '10.0.0.53')
Mon Mar 11 08:33:37 2024 Debug: DNSSEC Response data([], , 0, 3600)
Mon Mar 11 08:33:37 2024 Debug: Received NODATA for domain mx2.multi-mx.example type CNAME
Mon Mar 11 08:33:37 2024 Debug: No CNAME record(NoError) found for domain(mx2.multi-mx.example)
Mon Mar 11 08:33:37 2024 Debug: DNS query: Q('_25._tcp.mx2.multi-mx.example', 'TLSA')
Mon Mar 11 08:33:37 2024 Debug: DNS query: QN('_25._tcp.mx2.multi-mx.example', 'TLSA', 'recursive_nameserver0.parent')
Mon Mar 11 08:33:37 2024 Debug: DNS query: QIP ('_25._tcp.mx2.multi-mx.example', 'TLSA', '10.0.0.53', 60)
Mon Mar 11 08:33:37 2024 Debug: DNS query: Q ('_25._tcp.mx2.multi-mx.example', 'TLSA', '10.0.0.53')
Mon Mar 11 08:33:37 2024 Debug: DNSSEC Response data(['03010176c1ae61c8daea8e18e49220d1918aaec115b777dd1fe29b198fcba14a9b3d42'], secure, 0, 3600)
Mon Mar 11 08:33:37 2024 Debug: DNS encache (_25._tcp.mx2.multi-mx.example, TLSA, [(5240923351429370L, 0, 'SECURE', '03010176c1ae61c8daea8e18e49220d1918aaec115b777dd1fe29b198fcba14a9b3d42')])
Mon Mar 11 08:33:37 2024 Info: New SMTP DCID 219105 interface 10.0.3.10 address 192.0.2.42 port 25
Mon Mar 11 08:33:38 2024 Info: DCID 219105 TLS success protocol TLSv1.2 cipher ECDHE-ECDSA-AES256-GCM-SHA384 for multi-mx.example
Mon Mar 11 08:33:38 2024 Info: Delivery start DCID 219105 MID 441105 to RID [0]
Mon Mar 11 08:33:38 2024 Info: Message done DCID 219105 MID 441105 to RID [0]
Mon Mar 11 08:33:38 2024 Info: MID 441105 RID [0] Response '2.0.0 Ok: queued as 4TtXt53PQsz1xqG'
Mon Mar 11 08:33:38 2024 Info: Message finished MID 441105 done
Mon Mar 11 08:33:43 2024 Info: DCID 219105 close
Mon Mar 11 08:36:00 2024 Info: Status: CPULd 4 DskIO 0 RAMUtil 9 QKUsd 212 QKFre 8388396 CrtMID 441106 CrtICID 773106 CrtDCID 219105 InjMsg 27631 InjRcp 29306 GenBncRcp 12 RejRcp 1733 DrpMsg 388 SftBncEvnt 41 CmpRcp 29011 HrdBncRcp 57 DnsHrdBnc 9 5XXHrdBnc 44 FltrHrdBnc 0 ExpHrdBnc 4 OtrHrdBnc 0 DlvRcp 28856 DelRcp 0 GlbUnsbHt 0 ActvRcp 3 UnatmptRcp 1 AtmptRcp 2 CrtCncIn 2 CrtCncOut 1 DnsReq 914454 NetReq 402117 CchHit 1723390 CchMis 310844 CchEct 1022 CchExp 180231 CPUTTm 18122 CPUETm 4187350 MaxIO 412 RAMUsd 1602337740 MMLen 0 DstInMem 17 ResCon 0 WorkQ 0 QuarMsgs 0 QuarQKUsd 0 LogUsd 11 SophLd 0 BMLd 0 CASELd 1 TotalLd 6 LogAvail 151G EuQ 0 EuqRls 0 CmrkLd 0 McafLd 0 SwIn 0 SwOut 0 SwPgIn 0 SwPgOut 0 SwapUsage 0% RptLd 0 QtnLd 0 EncrQ 0 InjBytes 1493694102
Mon Mar 11 08:40:55 2024 Info: New SMTP ICID 773107 interface Data 1 (10.0.3.10) address 203.0.113.90 reverse dns host smtp.partner.example verified yes
Mon Mar 11 08:40:55 2024 Info: ICID 773107 ACCEPT SG UNKNOWNLIST match sbrs[-1.0:10.0] SBRS 4.1 country not enabled
Mon Mar 11 08:40:55 2024 Info: ICID 773107 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES128-GCM-SHA256
Mon Mar 11 08:40:57 2024 Info: Start MID 441107 ICID 773107
Mon Mar 11 08:40:57 2024 Info: MID 441107 ICID 773107 From: <billing@partner.example>
Mon Mar 11 08:40:57 2024 Info: MID 441107 ICID 773107 RID 0 To: <carol@example.com>
Mon Mar 11 08:40:57 2024 Info: MID 441107 Message-ID '<0e7d1c55-9b2a-4c60-a3f8-71d4e2b06c93@partner.example>'
Mon Mar 11 08:40:57 2024 Info: MID 441107 Subject 'Statement March'
Mon Mar 11 08:40:58 2024 Info: MID 441107 ready 40388 bytes from <billing@partner.example>
Mon Mar 11 08:40:58 2024 Info: MID 441107 matched all recipients for per-recipient policy DEFAULT in the inbound table
