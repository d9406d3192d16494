"""Generated XDM data for the local Adobe: profiles merged from two datasets (a CRM import and
web sign-ups, which disagree on some values so merge policies matter), their experience events,
accounts, and the configuration lists. Deterministic for a (scale, seed)."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

from cdpdb.backends.adobe import wire

ANCHOR = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)  # the dataset's "now"
NAMESPACES = ("email", "ECID", "crmId", "phone")
FIRST = ("Aiko", "Ben", "Chloé", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Luca")
LAST = ("Tanaka", "Smith", "Dubois", "Ivanov", "García", "Haddad", "Okafor", "Rossi", "Müller", "Silva")
CITIES = (("Tokyo", "JP"), ("Paris", "FR"), ("Berlin", "DE"), ("Austin", "US"), ("Lagos", "NG"), ("Milan", "IT"))
TIERS = ("bronze", "silver", "gold", "platinum")
PAGES = ("home", "search", "product", "cart", "checkout", "account")
EVENT_TYPES = ("web.webpagedetails.pageViews", "commerce.productViews", "commerce.purchases")


@dataclass
class Fragment:
    """One dataset's record of a profile: the merge policy picks among fragments."""

    dataset_id: str
    timestamp: int  # epoch ms of the fragment's last update
    attributes: dict[str, Any]


@dataclass
class Profile:
    xid: str
    identities: dict[str, list[str]]  # namespace → ids
    fragments: list[Fragment]
    events: list[dict[str, Any]] = field(default_factory=list)  # sorted by timestamp


@dataclass
class SandboxData:
    name: str
    title: str
    profiles: dict[str, Profile] = field(default_factory=dict)  # xid → profile
    accounts: dict[str, Profile] = field(default_factory=dict)
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)
    merge_policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    computed_attributes: list[dict[str, Any]] = field(default_factory=list)
    has_accounts: bool = False


def xid(seed: str) -> str:
    """A stable XID-like id (Adobe's are 30-odd url-safe characters)."""
    return hashlib.sha256(seed.encode()).hexdigest()[:30]


def _ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def _iso(ms: int) -> str:
    return (
        dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def identity(namespace: str, number: int, sandbox: str) -> str:
    """The generated id of profile ``number`` in ``namespace`` (tests and benchmarks call this)."""
    prefix = "" if sandbox == wire.DEFAULT_SANDBOX else f"{sandbox}."
    if namespace == "email":
        return f"{prefix}user{number}@example.com"
    if namespace == "ECID":
        return f"{number:038d}" if not prefix else f"9{number:037d}"
    if namespace == "crmId":
        return f"{prefix}CRM-{number:07d}"
    return f"+81{number:09d}" if not prefix else f"+49{number:09d}"


def _profile(rng: random.Random, number: int, sandbox: str, crm: str, web: str) -> Profile:
    ids = {ns: [identity(ns, number, sandbox)] for ns in ("email", "ECID", "crmId")}
    if number % 3 == 0:
        ids["phone"] = [identity("phone", number, sandbox)]
    city, country = rng.choice(CITIES)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    crm_time = _ms(ANCHOR - dt.timedelta(days=rng.randint(30, 400)))
    crm_attrs: dict[str, Any] = {
        "person": {
            "name": {"firstName": first, "lastName": last},
            "birthDate": dt.date(1950 + rng.randint(0, 55), rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
        },
        "homeAddress": {"city": city, "country": country, "postalCode": f"{rng.randint(10000, 99999)}"},
        "_cdpdb": {
            "loyalty": {"points": rng.randint(0, 50_000), "tier": rng.choice(TIERS)},
            "lifetimeValue": round(rng.uniform(0, 5000), 2),
            "vip": rng.random() < 0.1,
        },
    }
    fragments = [Fragment(crm, crm_time, crm_attrs)]
    if number % 2 == 0:  # half signed up on the web later, some with another city or first name
        web_city = rng.choice(CITIES)
        web_attrs: dict[str, Any] = {
            "person": {"name": {"firstName": first if number % 4 else first.upper(), "lastName": last}},
            "homeAddress": {"city": web_city[0], "country": web_city[1]},
            "personalEmail": {"address": ids["email"][0]},
            "consents": {"marketing": {"email": {"val": rng.choice(("y", "n"))}}},
        }
        fragments.append(Fragment(web, crm_time + rng.randint(1, 20) * 86_400_000, web_attrs))
    profile = Profile(xid(f"{sandbox}/profile/{number}"), ids, fragments)
    for e in range(rng.randint(0, 8)):
        moment = _ms(ANCHOR - dt.timedelta(minutes=rng.randint(1, 60 * 24 * 90)))
        kind = rng.choice(EVENT_TYPES)
        event: dict[str, Any] = {
            "_id": xid(f"{sandbox}/event/{number}/{e}"),
            "timestamp": _iso(moment),
            "eventType": kind,
            "identityMap": {"ECID": [{"id": ids["ECID"][0], "primary": True}]},
            "web": {"webPageDetails": {"name": rng.choice(PAGES), "URL": f"https://shop.example.com/{number}/{e}"}},
            "channel": {"typeAtSource": "web"},
        }
        if kind == "commerce.purchases":
            event["commerce"] = {"order": {"priceTotal": round(rng.uniform(5, 500), 2), "currencyCode": "USD"}}
        profile.events.append(event)
    profile.events.sort(key=lambda ev: ev["timestamp"])
    return profile


def generate(scale: int = 1000, seed: int = 42) -> dict[str, SandboxData]:
    """``prod`` with ``scale`` profiles and accounts (B2B schema), ``dev`` with a tenth and no
    account schema."""
    rng = random.Random(seed)
    sandboxes: dict[str, SandboxData] = {}
    for name, title, count in (("prod", "Production", scale), ("dev", "Development", max(scale // 10, 10))):
        data = SandboxData(name, title, has_accounts=name == "prod")
        crm, web = xid(f"{name}/dataset/crm")[:24], xid(f"{name}/dataset/web")[:24]
        data.datasets = {
            crm: {
                "id": crm,
                "name": "CRM Profiles",
                "description": "nightly CRM import",
                "streamingIngestionEnabled": False,
                "createdUser": "etl@example.com",
            },
            web: {
                "id": web,
                "name": "Web Sign-ups",
                "description": "streamed from the web site",
                "streamingIngestionEnabled": True,
                "createdUser": "web@example.com",
            },
        }
        for number in range(1, count + 1):
            profile = _profile(rng, number, name, crm, web)
            data.profiles[profile.xid] = profile
        if data.has_accounts:
            for number in range(1, max(count // 50, 5) + 1):
                key = f"ACC-{number:05d}"
                attrs = {
                    "accountName": f"Account {number}",
                    "accountKey": {"sourceKey": key},
                    "accountOrganization": {
                        "industry": rng.choice(("retail", "finance", "media")),
                        "numberOfEmployees": rng.randint(5, 50_000),
                        "annualRevenue": {"amount": float(rng.randint(1, 900)) * 1e6},
                    },
                }
                account = Profile(
                    xid(f"{name}/account/{number}"), {"b2b_account": [key]}, [Fragment(crm, _ms(ANCHOR), attrs)]
                )
                data.accounts[account.xid] = account
        data.merge_policies = {
            str(p["id"]): p
            for p in (
                {
                    "id": xid(f"{name}/mp/timestamp")[:24],
                    "name": "Timestamp ordered (default)",
                    "schema": {"name": wire.PROFILE_SCHEMA},
                    "version": 1,
                    "identityGraph": {"type": "pdg"},
                    "attributeMerge": {"type": wire.MERGE_TIMESTAMP_ORDERED},
                    "isActiveOnEdge": False,
                    "default": True,
                },
                {
                    "id": xid(f"{name}/mp/crm-first")[:24],
                    "name": "CRM first",
                    "schema": {"name": wire.PROFILE_SCHEMA},
                    "version": 1,
                    "identityGraph": {"type": "pdg"},
                    "attributeMerge": {"type": wire.MERGE_DATASET_PRECEDENCE, "order": [crm, web]},
                    "isActiveOnEdge": True,
                    "default": False,
                },
                {
                    "id": xid(f"{name}/mp/web-first")[:24],
                    "name": "Web first, no stitching",
                    "schema": {"name": wire.PROFILE_SCHEMA},
                    "version": 1,
                    "identityGraph": {"type": "none"},
                    "attributeMerge": {"type": wire.MERGE_DATASET_PRECEDENCE, "order": [web, crm]},
                    "isActiveOnEdge": False,
                    "default": False,
                },
            )
        }
        for policy in data.merge_policies.values():
            policy["imsOrgId"], policy["updateEpoch"] = "", _ms(ANCHOR) // 1000
        data.computed_attributes = [
            {
                "id": xid(f"{name}/ca/{n}")[:24],
                "name": n,
                "displayName": d,
                "description": d,
                "path": f"_cdpdb.computedAttributes.{n}",
                "type": t,
                "status": "ACTIVE",
                "expression": {"type": "PQL", "format": "pql/text", "value": v},
                "mergeFunction": {"value": f},
                "duration": {"count": 30, "unit": "DAYS"},
                "createEpoch": _ms(ANCHOR) // 1000 - 86_400,
                "updateEpoch": _ms(ANCHOR) // 1000,
            }
            for n, d, t, v, f in (
                (
                    "purchaseTotal30d",
                    "Purchases in 30 days",
                    "DOUBLE",
                    'xEvent[eventType = "commerce.purchases"].commerce.order.priceTotal',
                    "SUM",
                ),
                (
                    "pageViews30d",
                    "Page views in 30 days",
                    "INTEGER",
                    'xEvent[eventType = "web.webpagedetails.pageViews"]',
                    "COUNT",
                ),
            )
        ]
        sandboxes[name] = data
    return sandboxes
