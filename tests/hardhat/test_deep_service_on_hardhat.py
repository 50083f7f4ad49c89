"""`notary serve` and the fault suite's submissions on Hardhat, deep tier: the service over HTTP
(verify, relay, two workers on one index), the secrets scan, 40 submissions at 20 % RPC faults and
relays whose answer was lost (tests/api/test_serve*.py, test_secrets_scan.py, tests/faults)."""

from __future__ import annotations

import pytest
import test_faults_relay
import test_faults_submit
import test_secrets_scan
import test_serve
import test_serve_workers
from hardhat_helpers import reused

pytestmark = pytest.mark.deep

globals().update(reused(test_serve, test_serve_workers, test_secrets_scan, test_faults_submit, test_faults_relay))
