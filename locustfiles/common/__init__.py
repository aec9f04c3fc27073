"""Helpers shared by the locustfiles (imported as ``common``: Locust puts locustfiles/ on sys.path).

``phases``, ``faultspec`` and ``switch`` use the standard library only (the harness's unit
tests import them without gevent); ``webui`` wires them into Locust.
"""
