using CoConstruisons.Application.Common;
using FluentValidation;
using FluentValidation.Results;

namespace CoConstruisons.Api.Infrastructure;

public static class Ids
{
    /// <summary>Parses an id sent by a client; a malformed one is an invalid argument naming the field.</summary>
    public static Guid Parse(string value, string field) =>
        Guid.TryParse(value, out var id)
            ? id
            : throw new ValidationException([new ValidationFailure(field, Texts.T($"Identifiant invalide : « {value} ».", $"Invalid id: '{value}'."))]);
}
