using CoConstruisons.Application.Common;
using CoConstruisons.Application.Common.Exceptions;
using FluentValidation;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace CoConstruisons.Api.Infrastructure;

/// <summary>
/// Translates application exceptions into gRPC statuses in one place: validation → INVALID_ARGUMENT
/// (with google.rpc.BadRequest field violations), not found → NOT_FOUND, unauthenticated,
/// forbidden → PERMISSION_DENIED, rule → FAILED_PRECONDITION, rate limit → RESOURCE_EXHAUSTED
/// (with google.rpc.RetryInfo). Anything else is logged and answers UNKNOWN without detail.
/// </summary>
public sealed partial class ExceptionMappingInterceptor(ILogger<ExceptionMappingInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context.Method);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context.Method);
        }
    }

    private RpcException Map(Exception ex, string method)
    {
        switch (ex)
        {
            case ValidationException validation:
                var badRequest = new BadRequest();
                badRequest.FieldViolations.AddRange(validation.Errors.Select(e => new BadRequest.Types.FieldViolation
                {
                    Field = e.PropertyName,
                    Description = e.ErrorMessage,
                }));
                return new Google.Rpc.Status
                {
                    Code = (int)Code.InvalidArgument,
                    Message = string.Join(" ", validation.Errors.Select(e => e.ErrorMessage).Distinct()),
                    Details = { Any.Pack(badRequest) },
                }.ToRpcException();
            case CoConstruisons.Domain.Experiments.ExperimentDefinitionException refused:
                var violations = new BadRequest();
                var english = CoConstruisons.Application.Common.Texts.IsEnglish;
                violations.FieldViolations.AddRange(refused.Problems.Select(p => new BadRequest.Types.FieldViolation { Field = p.Field, Description = p.In(english) }));
                return new Google.Rpc.Status
                {
                    Code = (int)Code.InvalidArgument,
                    Message = string.Join(" ", refused.ErrorsIn(english)),
                    Details = { Any.Pack(violations) },
                }.ToRpcException();
            case NotFoundException:
                return new RpcException(new Grpc.Core.Status(StatusCode.NotFound, ex.Message));
            case UnauthenticatedException:
                return new RpcException(new Grpc.Core.Status(StatusCode.Unauthenticated, ex.Message));
            case ForbiddenException:
                return new RpcException(new Grpc.Core.Status(StatusCode.PermissionDenied, ex.Message));
            case CoConstruisons.Application.Abstractions.ModelFileException:
                return new RpcException(new Grpc.Core.Status(StatusCode.DataLoss, ex.Message));
            case RuleViolationException:
                return new RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition, ex.Message));
            case RateLimitedException limited:
                return new Google.Rpc.Status
                {
                    Code = (int)Code.ResourceExhausted,
                    Message = limited.Message,
                    Details = { Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(limited.RetryAfter) }) },
                }.ToRpcException();
            case OperationCanceledException:
                return new RpcException(new Grpc.Core.Status(StatusCode.Cancelled, Texts.T("Appel annulé.", "Call cancelled.")));
            default:
                LogUnexpected(logger, ex, method);
                return new RpcException(new Grpc.Core.Status(StatusCode.Unknown, Texts.T("Erreur inattendue du serveur ; elle a été journalisée.", "Unexpected server error; it was logged.")));
        }
    }

    [LoggerMessage(LogLevel.Error, "Unexpected error in {Method}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method);
}
