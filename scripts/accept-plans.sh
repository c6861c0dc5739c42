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
# The review-diff fixtures (raising an app's memory, adding an app) follow the plan's format.
UPDATE_SNAPSHOTS=1 dotnet test tests/Stacks.Tests --filter "FullyQualifiedName~PlanSnapshotTests" -v quiet -nologo >/dev/null
echo "tests/Stacks.Tests/Fixtures/*.diff"
# Every resource of each shipped stack under Pulumi's mocks (snapshots/<stack>.resources.txt), where the Pulumi
# packages restore: a change that moves a URN or an input shows in the diff.
if dotnet restore tests/Infra.Tests -v quiet >/dev/null 2>&1; then
  UPDATE_SNAPSHOTS=1 dotnet test tests/Infra.Tests -c Release --filter "FullyQualifiedName~ResourceSnapshotTests" -v quiet -nologo >/dev/null
  echo "snapshots/*.resources.txt"
fi
