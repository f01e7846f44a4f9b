using JasperFx;
using JasperFx.Events;

namespace CoConstruisons.Application.Common;

/// <summary>Recognises "someone else wrote first" failures from Marten and PostgreSQL, whatever wraps them.</summary>
public static class ConcurrencyConflicts
{
    public static bool IsConflict(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            if (ex is ConcurrencyException or DocumentAlreadyExistsException or EventStreamUnexpectedMaxEventIdException
                || (ex is Npgsql.PostgresException pg && pg.SqlState is "MT003" or "23505" or "40001"))
            {
                return true;
            }
        }

        return false;
    }
}
