#!/usr/bin/env bash
# Accept the current plans as the reviewed ones: rewrites snapshots/<stack>.plan.txt for every
# stack file. Commit the result with the change that caused it; reviewers read the diff.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build stacks -c Release -v quiet -nologo >/dev/null
for file in Pulumi.*.yaml; do
  stack=${file#Pulumi.}; stack=${stack%.yaml}
  dotnet run --project stacks -c Release --no-build -- plan --stack "$stack" > "snapshots/$stack.plan.txt"
  echo "snapshots/$stack.plan.txt"
done
