#!/usr/bin/env bash
# Certifies a third-party SCIM server with scimlab: SCIMMY and SCIMMY Routers (npm, JavaScript), the SCIM library
# and Express routers of scimmyjs, served in memory by a small Express app written below. SCIMMY parses,
# validates, filters, patches, sorts, pages and formats every request; the app only keeps the resources in two Maps
# (ids, meta dates, userName uniqueness) and checks the bearer token, which is what every SCIMMY application must
# write itself. `scimlab test --url` runs with a fixed seed; the run must complete (exit 0 or 1), no check may end in
# a harness error, and every verdict other than "pass" must be one of KNOWN below, each explained with its RFC
# section in docs/interop.md ("scimlab test against SCIMMY").
#
# Environment: SCIMLAB_BIN, PYTHON (waits and the verdict check), NPM (default npm), SCIMMY_VERSION (default
# 1.3.5), SCIMMY_ROUTERS_VERSION (default 1.3.2), EXPRESS_VERSION (default 4.22.3), INTEROP_OUT (default
# target/interop/scimmy), SCIMLAB_SEED (default 7).
# Exit codes: 0 only documented verdicts, 1 an unexplained verdict, 2 setup problem, 3 the server or scimlab could
# not run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=interop/lib.sh
. interop/lib.sh

python=${PYTHON:-python3}
npm=${NPM:-npm}
out=${INTEROP_OUT:-$root/target/interop/scimmy}
seed=${SCIMLAB_SEED:-7}
app=$out/app
mkdir -p "$app"

# "verdict id" of every expected non-pass verdict (docs/interop.md, "scimlab test against SCIMMY").
KNOWN=(
    "fail rfc7643/4.1.2/roles-primary-unique"
    "warn profile/entra/roles-assertive-replace"
    "fail rfc7644/2/unauthorized-www-authenticate"
    "fail rfc7644/3.3/create-location-header"
    "fail rfc7643/4.2/group-create-with-members"
    "fail rfc7644/3.4.2.2/keywords-any-case"
    "fail rfc7644/3.4.2.2/not-negates"
    "fail rfc7644/3.4.2.2/not-of-group"
    "fail rfc7644/3.4.2.2/parentheses-group"
    "fail rfc7644/3.4.2.2/string-escapes"
    "fail rfc7644/3.4.2.2/urn-qualified-core-name"
    "fail rfc7644/3.4.2.2/group-members-value"
    "fail differential/filter/matches-reference"
    "fail rfc7644/3.4.2.2/urn-qualified-extension-name"
    "fail rfc7644/3.4.2.2/username-case-insensitive"
    "fail rfc7644/3.4.2.2/substring-case-insensitive"
    "fail rfc7644/3.4.2.2/invalid-syntax-400"
    "fail rfc7644/3.4.3/search-invalid-filter-400"
    "fail rfc7644/3.4.2.2/ordering-on-boolean-400"
    "fail rfc7644/3.4.2.3/multi-valued-by-primary"
    "fail rfc7644/3.4.2.4/last-and-past-the-end"
    "fail rfc7644/3.4.2.4/partial-page-members"
    "fail rfc7644/4/max-results-honoured"
    "fail differential/state/matches-model"
    "fail rfc7644/3.5.2/attributes-param-200"
    "fail rfc7644/3.5.2/primary-true-clears-others"
    "fail rfc7644/3.5.2.3/primary-via-filter"
    "fail rfc7644/3.5.2/mutability-meta-400"
    "fail rfc7644/3.5.2.3/complex-keeps-unnamed-sub-attributes"
    "fail differential/patch/matches-reference"
    "fail rfc7644/3.7.1/circular-references"
    "fail rfc7644/3.7.4/max-payload-413"
    "fail rfc7644/3.9/attributes-urn-qualified"
    "fail rfc7643/2.2/required-empty-username-400"
    "warn rfc7644/3.5.2.1/existing-value-not-duplicated"
    "warn rfc7644/3.2/method-not-allowed-405"
    "warn rfc7644/4/spc-write-405"
    "warn rfc7644/4/schemas-write-405"
    "warn rfc7644/4/resource-types-write-405"
    "warn rfc7644/3.4.2.3/sort-order-any-case"
    "warn rfc7644/3.12/malformed-json-invalid-syntax"
    "warn rfc7643/4.2/user-groups-lists-membership"
    "warn rfc7643/4.2/deleted-user-leaves-groups"
    "warn lifecycle/delete/leaves-every-group"
    "fail rfc7644/3.4.2.2/idp-lookup-username-any-case"
    "warn rfc7644/3.4.2.2/idp-lookup-membership"
    "warn profile/entra/lookup-username-any-case"
    "warn profile/entra/lookup-work-email"
    "fail profile/entra/deactivate-string-false"
    "fail profile/entra/reactivate-string-true"
    "skip profile/entra/inactive-user-readable"
    "fail profile/entra/patch-filter-creates-email"
    "fail profile/entra/manager-bare-string"
    "warn profile/entra/manager-legacy-array"
)

for tool in node "$npm" "$python"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "$tool is missing: Node 18 or newer with npm, and Python 3, are needed" >&2
        exit 2
    fi
done

echo "== npm install into $app"
cat >"$app/package.json" <<EOF
{
  "name": "scimlab-interop-scimmy",
  "private": true,
  "type": "module",
  "dependencies": {
    "express": "${EXPRESS_VERSION:-4.22.3}",
    "scimmy": "${SCIMMY_VERSION:-1.3.5}",
    "scimmy-routers": "${SCIMMY_ROUTERS_VERSION:-1.3.2}"
  }
}
EOF
npm_install() { (cd "$app" && "$npm" install --no-audit --no-fund --loglevel=error >"$out/npm.log" 2>&1); }
if ! interop_retry 3 npm_install; then
    echo "npm could not install SCIMMY:" >&2
    tail -20 "$out/npm.log" >&2
    exit 2
fi
(cd "$app" && "$npm" ls --depth=0 2>/dev/null | tail -n +2) || true

cat >"$app/server.js" <<'EOF'
// An in-memory SCIM 2.0 server made of SCIMMY and SCIMMY Routers (written by interop/scimmy-test.sh). SCIMMY does
// the protocol; the handlers only store resources in two Maps, give them ids and meta dates, and refuse a second
// User with the same userName (RFC 7643 section 4.1.1), as every SCIMMY application has to.
import express from "express";
import { randomUUID } from "node:crypto";
import SCIMMYRouters, { SCIMMY } from "scimmy-routers";

const token = process.env.SCIMMY_TOKEN;
const port = Number(process.env.PORT);
if (!token || !port) throw new Error("SCIMMY_TOKEN and PORT must be set");

function declare(resource, store, unique) {
    const missing = (id) => new SCIMMY.Types.Error(404, null, `Resource ${id} not found`);
    resource
        .egress((res) => {
            if (res.id) {
                const found = store.get(res.id);
                if (!found) throw missing(res.id);
                return found;
            }
            const all = [...store.values()];
            return res.filter ? res.filter.match(all) : all;
        })
        .ingress((res, instance) => {
            const data = JSON.parse(JSON.stringify(instance));
            const old = res.id ? store.get(res.id) : undefined;
            if (res.id && !old) throw missing(res.id);
            if (unique && typeof data[unique] === "string") {
                const key = data[unique].toLowerCase();
                for (const other of store.values()) {
                    if (other.id !== res.id && String(other[unique]).toLowerCase() === key) {
                        throw new SCIMMY.Types.Error(409, "uniqueness", `${unique} ${data[unique]} is already taken`);
                    }
                }
            }
            const now = new Date().toISOString();
            const id = res.id ?? randomUUID();
            delete data.meta;
            const stored = { ...data, id, meta: { created: old?.meta.created ?? now, lastModified: now } };
            store.set(id, stored);
            return stored;
        })
        .degress((res) => {
            if (!store.delete(res.id)) throw missing(res.id);
        });
}

SCIMMY.Resources.declare(SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser));
declare(SCIMMY.Resources.User, new Map(), "userName");
SCIMMY.Resources.declare(SCIMMY.Resources.Group);
declare(SCIMMY.Resources.Group, new Map(), null);

const app = express();
app.use("/scim/v2", new SCIMMYRouters({
    type: "bearer",
    docUri: "https://example.com/scimlab-interop",
    // The token stands for a provisioning client, not a User: returning no id makes /Me answer 501.
    handler: (request) => {
        if (request.header("Authorization") !== `Bearer ${token}`) throw new Error("Authorization failed");
    },
}));
const server = app.listen(port, "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
EOF

echo "== scimlab"
bin=$(interop_scimlab "$root")

port=$(interop_free_port "$python")
token=$(interop_token "$python")
url="http://127.0.0.1:$port/scim/v2"
server=""
trap 'interop_stop "$server" TERM' EXIT
trap 'exit 130' INT TERM
(cd "$app" && exec env PORT="$port" SCIMMY_TOKEN="$token" node server.js) >"$out/server.log" 2>&1 &
server=$!
interop_certify SCIMMY "$python" "$bin" "$url" "$out" "$seed" "${KNOWN[@]}"
