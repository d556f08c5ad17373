using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Market.Web.Tests.Support;

/// <summary>
/// Lets a test's requests come "from" different client addresses: the in-memory test server has no network, so the
/// address is taken from <see cref="CookieSignIn.ClientAddressHeader"/> before the app's pipeline sees the request.
/// </summary>
public sealed class ClientAddressFromHeader : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, proceed) =>
        {
            if (IPAddress.TryParse(context.Request.Headers[CookieSignIn.ClientAddressHeader].ToString(), out var address))
            {
                context.Connection.RemoteIpAddress = address;
            }

            return proceed(context);
        });
        next(app);
    };
}
