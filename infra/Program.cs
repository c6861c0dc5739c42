using Platform.Infra;
using Pulumi;

return await Deployment.RunAsync(PlatformStack.Run);
