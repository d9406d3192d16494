"""The union schemas the local Adobe serves (xed-full form: every field inline), per XDM class.
The tenant namespace is ``_cdpdb`` (a real organisation's is ``_<tenant>``)."""

from __future__ import annotations

from typing import Any

from cdpdb.backends.adobe import wire

TENANT = "_cdpdb"


def _obj(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


STRING, INTEGER, NUMBER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}
DATE, DATE_TIME = {"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}
IDENTITY_MAP = {"type": "object", "additionalProperties": {"type": "array", "items": _obj(id=STRING, primary=BOOLEAN)}}

PROFILE = {
    "$id": "https://ns.adobe.com/xdm/context/profile__union",
    "title": "XDM Individual Profile union",
    **_obj(
        _id=STRING,
        identityMap=IDENTITY_MAP,
        person=_obj(name=_obj(firstName=STRING, lastName=STRING), birthDate=DATE, gender=STRING),
        personalEmail=_obj(address=STRING),
        homeAddress=_obj(city=STRING, country=STRING, postalCode=STRING),
        mobilePhone=_obj(number=STRING),
        consents=_obj(marketing=_obj(email=_obj(val=STRING))),
        **{TENANT: _obj(loyalty=_obj(points=INTEGER, tier=STRING), lifetimeValue=NUMBER, vip=BOOLEAN)},
        segmentMembership={"type": "object", "additionalProperties": {"type": "object"}},
    ),
}
EVENT = {
    "$id": "https://ns.adobe.com/xdm/context/experienceevent__union",
    "title": "XDM ExperienceEvent union",
    **_obj(
        _id=STRING,
        timestamp=DATE_TIME,
        eventType=STRING,
        identityMap=IDENTITY_MAP,
        web=_obj(webPageDetails=_obj(name=STRING, URL=STRING)),
        commerce=_obj(order=_obj(priceTotal=NUMBER, currencyCode=STRING)),
        channel=_obj(typeAtSource=STRING),
    ),
}
ACCOUNT = {
    "$id": "https://ns.adobe.com/xdm/context/account__union",
    "title": "XDM Business Account union",
    **_obj(
        _id=STRING,
        identityMap=IDENTITY_MAP,
        accountName=STRING,
        accountKey=_obj(sourceKey=STRING),
        accountOrganization=_obj(industry=STRING, numberOfEmployees=INTEGER, annualRevenue=_obj(amount=NUMBER)),
    ),
}
UNIONS = {wire.PROFILE_SCHEMA: PROFILE, wire.EVENT_SCHEMA: EVENT, wire.ACCOUNT_SCHEMA: ACCOUNT}
