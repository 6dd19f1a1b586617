using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Threading.RateLimiting;
using DnsExpert.Api.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace DnsExpert.Api.Security;

/// <summary>
/// API keys and optional JWT bearer tokens on everything but the configured anonymous paths; per-caller rate limits.
/// Failures are ProblemDetails: 401 with <c>WWW-Authenticate</c>, 429 with <c>Retry-After</c>.
/// </summary>
public static class SecuritySetup
{
    private const string Forward = "dnsexpert";

    public static IHostApplicationBuilder AddDnsExpertSecurity(this IHostApplicationBuilder builder)
    {
        AddAuthOptions(builder.Services);
        builder.Services.AddSingleton(services => ApiKeyStore.Load(services.GetRequiredService<IOptions<AuthOptions>>().Value));

        // The JWT scheme is always registered but only chosen when JWT is configured (Jwt.Enabled) and the bearer token
        // has a JWT's form; any other bearer token is read as an API key (Alertmanager's default authorization type).
        builder.Services.AddAuthentication(Forward)
            .AddPolicyScheme(Forward, "API key or bearer token", o => o.ForwardDefaultSelector = context =>
                context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.Jwt.Enabled
                && ApiKeyHandler.LooksLikeJwt(context.Request.Headers.Authorization.ToString())
                    ? JwtBearerDefaults.AuthenticationScheme
                    : ApiKeyHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(ApiKeyHandler.SchemeName, null)
            .AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<IOptions<AuthOptions>>((o, auth) => ConfigureJwt(o, auth.Value));

        builder.Services.AddSingleton<CallerRateLimit>();
        builder.Services.AddSingleton<AuthFailureLog>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AuthFailureLog>());
        builder.Services.TryAddSingleton(TimeProvider.System);

        // The handlers' own line per failed request (Information) would be an unthrottled flood: AuthFailureLog
        // aggregates them instead, unless the configuration asks for those categories explicitly.
        foreach (var category in new[] { typeof(ApiKeyHandler).FullName!, typeof(JwtBearerHandler).FullName! })
        {
            if (builder.Configuration[$"Logging:LogLevel:{category}"] is null)
            {
                builder.Logging.AddFilter(category, LogLevel.Warning);
            }
        }

        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<AuthOptions>>((o, auth) =>
        {
            var options = auth.Value;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => TokenBucket(Caller(context).Partition, PerMinute(context, options)));
            o.OnRejected = (context, cancellationToken) => RejectAsync(context, "The rate limit of this caller is used up");
        });
        return builder;
    }

    /// <summary>The authentication options, refused at start-up when JWT is half configured or a scope names what is not a role or a namespace.</summary>
    private static void AddAuthOptions(IServiceCollection services) =>
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations()
            .Validate(o => string.IsNullOrWhiteSpace(o.Jwt.SigningKey) || !string.IsNullOrWhiteSpace(o.Jwt.Issuer),
                $"{AuthOptions.Section}:Jwt:SigningKey is set without {AuthOptions.Section}:Jwt:Issuer: tokens of any issuer would be accepted")
            .Validate(o => string.IsNullOrWhiteSpace(o.Jwt.SigningKey) || !string.IsNullOrWhiteSpace(o.Jwt.Audience),
                $"{AuthOptions.Section}:Jwt:SigningKey is set without {AuthOptions.Section}:Jwt:Audience: tokens minted for any other service would be accepted")
            .Validate(o => string.IsNullOrWhiteSpace(o.Jwt.SigningKey) || Encoding.UTF8.GetByteCount(o.Jwt.SigningKey) >= 32,
                $"{AuthOptions.Section}:Jwt:SigningKey must be at least 32 bytes (HS256)")
            .Validate(o => o.Jwt.ClockSkew >= TimeSpan.Zero && o.Jwt.ClockSkew <= TimeSpan.FromMinutes(5),
                $"{AuthOptions.Section}:Jwt:ClockSkew must be between 00:00:00 and 00:05:00")
            .Validate(o => o.Scopes.Values.All(v => v.Role is "read" or "diagnose" or "admin"),
                $"{AuthOptions.Section}:Scopes:NAME:Role must be read, diagnose or admin")
            .Validate(o => o.Scopes.Values.All(v => v.Namespaces.All(Contract.RequestValidator.IsDnsLabel)),
                $"{AuthOptions.Section}:Scopes:NAME:Namespaces must be Kubernetes namespace names")
            .ValidateOnStart();

    /// <summary>
    /// The JWT bearer handler as the options say: the authority's keys, or (a signing key given) HS256 tokens of that
    /// issuer and audience only; <c>sub</c> is the caller's name, and a token without one is refused.
    /// </summary>
    private static void ConfigureJwt(JwtBearerOptions o, AuthOptions options)
    {
        o.MapInboundClaims = false;
        o.Authority = string.IsNullOrWhiteSpace(options.Jwt.Authority) ? null : options.Jwt.Authority;
        o.Audience = options.Jwt.Audience;
        o.TokenValidationParameters.NameClaimType = "sub";
        o.TokenValidationParameters.ClockSkew = options.Jwt.ClockSkew;

        // The subject is the caller's identity and its rate-limit bucket: a token without one is refused.
        o.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                if (string.IsNullOrWhiteSpace(context.Principal?.FindFirstValue("sub")))
                {
                    context.Fail("the token has no sub claim");
                }

                return Task.CompletedTask;
            },
        };
        if (!string.IsNullOrWhiteSpace(options.Jwt.SigningKey))
        {
            o.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(options.Jwt.SigningKey));
            o.TokenValidationParameters.ValidIssuer = options.Jwt.Issuer;
            o.TokenValidationParameters.ValidateIssuer = true;
            o.TokenValidationParameters.ValidAudience = options.Jwt.Audience;
            o.TokenValidationParameters.ValidateAudience = true;
        }
    }

    /// <summary>
    /// Rate limiting per address, authentication, rate limiting per caller, and the 401 gate, in that order. The answer is
    /// the group to map the endpoints they guard on: it documents on each what these checks answer (<see cref="AnswersCallerChecks"/>).
    /// </summary>
    public static RouteGroupBuilder UseDnsExpertSecurity(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<AuthOptions>>().Value;
        if (options.Enabled && app.Services.GetRequiredService<ApiKeyStore>().Count == 0 && !options.Jwt.Enabled)
        {
            throw new InvalidOperationException($"{AuthOptions.Section}:Enabled is true but no API key (ApiKeysFile, ApiKeys) and no JWT issuer is configured: nobody could call the API");
        }

        // Per client address before any credential is looked at, then per key or token subject: a flood of bad or
        // missing credentials is limited like any other caller. Health endpoints opt out of both (DisableRateLimiting).
        app.UseRateLimiter(new RateLimiterOptions
        {
            GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                TokenBucket($"address:{context.Connection.RemoteIpAddress}", options.RequestsPerMinutePerAddress)),
            OnRejected = (context, cancellationToken) => RejectAsync(context, "The rate limit of this client address is used up"),
        });
        app.UseAuthentication();
        app.UseRateLimiter();
        if (options.Enabled)
        {
            // One gate for endpoints and middleware-served content (Swagger UI) alike: anything not listed as anonymous
            // needs a valid key or token.
            var failures = app.Services.GetRequiredService<AuthFailureLog>();
            app.Use(async (context, next) =>
            {
                if (IsAnonymous(context.Request.Path, options) || context.User.Identity?.IsAuthenticated == true)
                {
                    await next(context);
                    return;
                }

                failures.Record(context.Connection.RemoteIpAddress, Presented(context.Request));
                await ChallengeAsync(context, options);
            });
        }

        // What the caller may do, read once from its credential: the endpoints take it from the request's features
        // (CallerScope.Of), not from the container.
        app.Use((context, next) =>
        {
            context.Features.Set(CallerScope.From(context.User, options));
            return next(context);
        });
        return app.MapGroup("").AnswersCallerChecks(options);
    }

    /// <summary>
    /// What the checks above answer on an endpoint, in its OpenAPI description: <c>429</c> when the caller's or the
    /// address's rate limit is used up, and <c>401</c> without valid credentials when they are required
    /// (<see cref="AuthOptions.Enabled"/>, and the path is not one of <see cref="AuthOptions.AnonymousPaths"/>).
    /// </summary>
    private static RouteGroupBuilder AnswersCallerChecks(this RouteGroupBuilder group, AuthOptions options)
    {
        ((IEndpointConventionBuilder)group).Add(endpoint =>
        {
            var method = endpoint.Metadata.OfType<System.Reflection.MethodInfo>().FirstOrDefault();
            Problem<Status.TooManyRequests>.PopulateMetadata(method!, endpoint);
            if (options.Enabled && endpoint is RouteEndpointBuilder route && !IsAnonymous("/" + route.RoutePattern.RawText?.TrimStart('/'), options))
            {
                Problem<Status.Unauthorized>.PopulateMetadata(method!, endpoint);
            }
        });
        return group;
    }

    private static RateLimitPartition<string> TokenBucket(string partition, int perMinute) =>
        RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = Math.Max(1, perMinute / 6),
            ReplenishmentPeriod = TimeSpan.FromSeconds(10),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    /// <summary>The 429 ProblemDetails with <c>Retry-After</c>.</summary>
    private static async ValueTask RejectAsync(OnRejectedContext context, string reason)
    {
        var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 10;
        var http = context.HttpContext;
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = $"{reason}; retry after {retry} s.",
            },
        });
    }

    private static bool Presented(HttpRequest request) =>
        request.Headers.ContainsKey(ApiKeyHandler.Header) || request.Headers.Authorization.Count > 0;

    internal static bool IsAnonymous(PathString path, AuthOptions options) =>
        options.AnonymousPaths.Any(prefix => path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase));

    /// <summary>The 401 every unauthenticated API call gets.</summary>
    internal static async Task ChallengeAsync(HttpContext context, AuthOptions options)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = options.Jwt.Enabled ? $"{ApiKeyHandler.SchemeName}, Bearer" : ApiKeyHandler.SchemeName;
        var presented = Presented(context.Request);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = presented ? "The credentials are not valid" : "Credentials are required",
                Detail = $"Send an API key in the {ApiKeyHandler.Header} header" + (options.Jwt.Enabled ? " or a bearer token in Authorization." : "."),
            },
        });
    }

    /// <summary>The size of the caller's token bucket: requests per minute of its key, or of every caller.</summary>
    internal static int PerMinute(HttpContext context, AuthOptions options) =>
        Caller(context).Key is { } key && options.RequestsPerMinuteByKey.TryGetValue(key, out var own) ? own : options.RequestsPerMinute;

    /// <summary>The rate-limit partition: the key name or token subject, else the client address.</summary>
    private static (string Partition, string? Key) Caller(HttpContext context)
    {
        // An API key's name, or a token's subject (required): never one bucket shared by unnamed callers.
        var user = context.User;
        if (user.Identity?.IsAuthenticated == true && (user.FindFirstValue("dnsexpert:key") ?? user.FindFirstValue("sub")) is { Length: > 0 } name)
        {
            return ($"{user.Identity.AuthenticationType}:{name}", user.FindFirstValue("dnsexpert:key"));
        }

        return ($"ip:{context.Connection.RemoteIpAddress}", null);
    }
}
