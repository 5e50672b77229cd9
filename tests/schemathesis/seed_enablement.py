"""Makes one enablement for the tenant of the tenant-isolation check to
protect: the demo seeds none, and the generator seldom guesses an enableable
model, region and deployment type. Enables the first offer the tenant may.

Usage: seed_enablement.py BASE_URL TENANT_ADMIN_TOKEN TENANT_ID
"""

import json
import sys
import urllib.error
import urllib.request

base, token, tenant = sys.argv[1:]


def call(method, path, body=None):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(urllib.request.Request(base + path, data, headers, method=method)) as response:
        return json.load(response)


for model in call("GET", "/v1/models?limit=20")["items"]:
    for offer in call("GET", f"/v1/models/{model['id']}/offers")["items"]:
        wanted = {"model_id": model["id"], "region": offer["region"], "deployment_type": offer["deployment_type"]}
        try:
            call("POST", f"/v1/tenants/{tenant}/enablements", wanted)
            sys.exit(0)
        except urllib.error.HTTPError as refused:
            if refused.code not in (409, 451):  # not enableable there: try the next offer
                raise
sys.exit("no enablement could be made for the tenant isolation check")
