using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Common.Exceptions;

namespace CoConstruisons.Application.Tasks;

public static class ReservationReader
{
    /// <summary>The reservation behind a token, checked to belong to this contributor and project.</summary>
    public static Reservation ReadReservation(this ITokenService tokens, string token, Guid projectId, string contributorId)
    {
        var reservation = tokens.Read<Reservation>(TokenPurposes.Reservation, token ?? "")
            ?? throw new ForbiddenException(Texts.T(
                "Jeton de réservation invalide ou expiré : demandez une nouvelle image.",
                "Invalid or expired reservation token: ask for a new image."));
        if (reservation.ProjectId != projectId || reservation.ContributorId != contributorId)
        {
            throw new ForbiddenException(Texts.T(
                "Ce jeton de réservation n'a pas été émis pour vous.",
                "This reservation token was not issued to you."));
        }

        return reservation;
    }
}
