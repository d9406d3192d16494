"""The local Adobe Experience Platform: IMS, the Real-Time Customer Profile API over generated XDM
profiles and events (two sandboxes, several identity namespaces), merge policies that change
which value a profile shows, job life cycles, Adobe's error bodies and the kit's faults."""

from cdpdb.backends.adobe.local.cloud import LocalAdobe, serve

__all__ = ["LocalAdobe", "serve"]
