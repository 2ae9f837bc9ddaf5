"""A Python client of the service, for the CLI and integrators: verify over HTTP, and write the
EBSI way (the service builds, this process signs with the identity's own key, the service checks
and broadcasts). The key never leaves this process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import requests

from registry.config import check_service_url, env_seconds
from registry.errors import ChainUnavailable, InputError, RegistryError, TransactionReverted
from registry.formats import keys as keyfmt
from registry.formats import safejson
from registry.keystore import Identity
from registry.ops.registry import Purpose, Rel


class ServiceError(RegistryError):
    """The service refused a request; carries its problem+json body."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(f"{problem.get('title', 'error')}: {problem.get('detail', '')} (HTTP {status})")
        self.status = status
        self.problem = problem


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header given in seconds (the service's form); None otherwise."""
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds <= 3600 else None


# How long one answer of the service may take, in all (however it paces its bytes): the service
# answers within its own request deadline (8 s by default), so this is ample. REGISTRY_SERVICE_TIMEOUT.
DEFAULT_SERVICE_TIMEOUT_S = 30.0
# Broadcasting waits for the receipt as well (the service's --receipt-timeout, 30 s by default).
SEND_EXTRA_S = 60.0


class ServiceClient:
    def __init__(self, base_url: str, timeout_s: float | None = None, max_wait_s: float = 120.0) -> None:
        self.base_url = check_service_url(base_url).rstrip("/")  # "127.0.0.1:8080": said so, not "InvalidSchema"
        # A whole-request deadline, not a per-read timeout: a service trickling its answer a byte
        # at a time would reset a read timeout forever.
        self.timeout_s = (
            timeout_s if timeout_s is not None else env_seconds("REGISTRY_SERVICE_TIMEOUT", DEFAULT_SERVICE_TIMEOUT_S)
        )
        self.max_wait_s = max_wait_s  # how long, in all, one request may wait out 429s
        self.session = requests.Session()

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        """One request; a 429 is waited out as the service asks (Retry-After), up to `max_wait_s` in all."""
        waited = 0.0
        while True:
            response = self._send(method, path, **kwargs)
            if response.status_code != 429:
                return self._answer(response)
            delay = _retry_after(response.headers.get("Retry-After"))
            if delay is None or waited + delay > self.max_wait_s:
                return self._answer(response)
            time.sleep(delay)
            waited += delay

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One exchange, its whole answer read within `timeout_s`. The exchange runs in a helper
        thread that is abandoned (with its session) when the deadline passes: requests offers no
        way to end a read in progress, and a daemon thread never holds up the process's exit."""
        outcome: dict[str, Any] = {}
        session = self.session

        def exchange() -> None:
            try:
                outcome["response"] = self._exchange(session, method, path, **kwargs)
            except BaseException as exc:  # handed to the caller's thread
                outcome["error"] = exc

        worker = threading.Thread(target=exchange, name="service-request", daemon=True)
        worker.start()
        limit = self.timeout_s + (SEND_EXTRA_S if path == "/api/transactions/send" else 0.0)
        worker.join(limit)
        if worker.is_alive():
            self.session = requests.Session()  # the abandoned thread keeps the old one
            raise ChainUnavailable(f"the registry service at {self.base_url} did not answer within {limit:g} s")
        if "error" in outcome:
            raise outcome["error"]
        response: requests.Response = outcome["response"]
        return response

    def _exchange(self, session: requests.Session, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            # A read timeout too, so the abandoned thread ends at last (the deadline ends the wait).
            return session.request(method, self.base_url + path, timeout=self.timeout_s + SEND_EXTRA_S, **kwargs)
        except requests.Timeout as exc:
            raise ChainUnavailable(
                f"the registry service at {self.base_url} did not answer within {self.timeout_s:g} s"
            ) from exc
        except requests.ConnectionError as exc:
            raise ChainUnavailable(
                f"cannot reach the registry service at {self.base_url}: connection refused or host unreachable"
            ) from exc
        except requests.RequestException as exc:  # a malformed URL, too many redirects...
            raise ChainUnavailable(f"cannot use the registry service at {self.base_url}: {type(exc).__name__}") from exc

    @staticmethod
    def _answer(response: requests.Response) -> Any:
        # Parsed as every untrusted document is (no NaN, no lone surrogate, bounded nesting): a
        # service that answers something else has given no usable answer.
        if response.ok:
            try:
                return safejson.loads(response.content, "its answer")
            except InputError as exc:
                raise ChainUnavailable(f"the registry service at {response.url} answered unusably: {exc}") from exc
        try:
            problem = safejson.loads(response.content, "its answer")
            if not isinstance(problem, dict):
                raise InputError("its answer is not a JSON object")
        except InputError:
            problem = {"title": response.reason, "detail": response.text[:200]}
        if response.status_code == 422:
            raise TransactionReverted(str(problem.get("detail")), problem.get("error"))
        if response.status_code == 503:
            raise ChainUnavailable(str(problem.get("detail")))
        raise ServiceError(response.status_code, problem)

    # -- reads ----------------------------------------------------------------------------

    def verify(
        self,
        content: str | bytes,
        at: str | None = None,
        trust_list: Sequence[str] | None = None,
        *,
        audience: str | None = None,
        nonce: str | None = None,
        accreditation_policy: str | None = None,
        recognised_in: str | None = None,
    ) -> Any:
        """The verification report (`Report.to_json()` shape) for one credential, holder file or passport;
        with `recognised_in` (a DID), that authority's recognition finding in it."""
        text = content.decode("utf-8") if isinstance(content, bytes) else content
        body: dict[str, Any] = {"credential": text}
        if at is not None:
            body["at"] = at
        if audience is not None:
            body["audience"] = audience
        if nonce is not None:
            body["nonce"] = nonce
        if trust_list is not None:
            body["trustList"] = list(trust_list)
        if accreditation_policy is not None:
            body["accreditationPolicy"] = accreditation_policy
        if recognised_in is not None:
            body["recognisedIn"] = recognised_in
        return self._request("POST", "/verify", json=body)

    def issuer_check(self, did: str, at: str | None = None, roots: Sequence[str] = ()) -> Any:
        params: list[tuple[str, str]] = [("roots", r) for r in roots]
        if at is not None:
            params.append(("at", at))
        return self._request("GET", f"/api/issuers/{did}/check", params=params)

    # -- writes ---------------------------------------------------------------------------

    def transact(
        self, identity: Identity, operation: str, body: dict[str, Any], *, did: str | None = None
    ) -> dict[str, Any]:
        """Build `operation` via the service, sign it locally, send it; returns hash and receipt."""
        account = identity.account
        signed = account.sign_transaction(self.build_transaction(account.address, operation, body))
        sent = self.send_signed("0x" + bytes(signed.raw_transaction).hex(), did)
        if sent["receipt"]["status"] != 1:
            raise TransactionReverted(f"transaction {sent['transactionHash']} reverted")
        return sent

    def build_transaction(self, sender: str, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        """The unsigned transaction of `operation` the service builds for `sender` (nonce, gas, chain id)."""
        built: dict[str, Any] = self._request("POST", f"/api/transactions/{operation}", json={"from": sender, **body})
        return dict(built["transaction"])

    def send_signed(self, raw: str, did: str | None) -> dict[str, Any]:
        """Relay a signed transaction (0x-hex) and wait for its receipt: hash, signer, receipt."""
        body = {"signedRawTransaction": raw, "did": did, "waitForReceipt": True}
        sent: dict[str, Any] = self._request("POST", "/api/transactions/send", json=body)
        return sent

    def register_did(self, identity: Identity) -> list[dict[str, Any]]:
        """Register the identity's DID with its controller key, then add its signing key."""
        if identity.kind != "legal-entity":
            raise InputError(f"{identity.name} is a natural person: did:key needs no registration")
        first = self.transact(identity, "register-did", {"did": identity.did, "controllerJwk": identity.controller_jwk})
        second = self.transact(
            identity,
            "add-verification-method",
            {
                "did": identity.did,
                "publicKeyJwk": keyfmt.jwk_public_dict(identity.signing_key),
                "relationships": int(Rel.ASSERTION_METHOD | Rel.AUTHENTICATION),
            },
        )
        return [first, second]

    def anchor(self, identity: Identity, value: bytes) -> dict[str, Any]:
        return self.transact(identity, "anchor", {"did": identity.did, "hash": "0x" + value.hex()}, did=identity.did)

    def set_status(self, identity: Identity, purpose: Purpose, number: int, index: int, reason: int) -> dict[str, Any]:
        body = {"did": identity.did, "purpose": purpose.label, "listNumber": number, "index": index, "reason": reason}
        return self.transact(identity, "set-status", body, did=identity.did)

    def update_status(
        self, identity: Identity, purpose: Purpose, number: int, indexes: Sequence[int], set_: bool, reason: int
    ) -> dict[str, Any]:
        body = {
            "did": identity.did,
            "purpose": purpose.label,
            "listNumber": number,
            "indexes": list(indexes),
            "set": set_,
            "reason": reason,
        }
        return self.transact(identity, "update-status", body, did=identity.did)

    def publish_status_list(self, identity: Identity, purpose: Purpose, number: int, token: str) -> dict[str, Any]:
        body = {"did": identity.did, "purpose": purpose.label, "listNumber": number, "credential": token}
        return self.transact(identity, "publish-status-list", body, did=identity.did)

    # -- skills logbooks (ops/logbook/sync.py's Boxes) --------------------------------------

    def logbook_deposit(self, owner: str, entry: dict[str, Any]) -> str:
        """Queue an entry file in `owner`'s box; its box id."""
        return str(self._request("POST", f"/api/logbook/boxes/{owner}/entries", json=entry)["id"])

    def logbook_fetch(self, identity: Identity, done: list[str]) -> list[dict[str, Any]]:
        """The items waiting in the identity's own box, after removing `done` (a request it signs)."""
        from registry.ops.logbook.store import sign_box_request

        body = {"request": sign_box_request(identity, identity.did, done)}
        items: list[dict[str, Any]] = self._request("POST", f"/api/logbook/boxes/{identity.did}/fetch", json=body)[
            "items"
        ]
        return items
