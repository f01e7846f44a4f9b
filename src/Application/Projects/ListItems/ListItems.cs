using CoConstruisons.Application.Common;
using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Items;
using FluentValidation;
using Marten;
using Mediator;

namespace CoConstruisons.Application.Projects.ListItems;

public sealed record ListItems(Guid OwnerId, Guid ProjectId, int Page, int PageSize) : IQuery<ItemPage>;

public sealed record ItemRow(Item Item, ItemProgress? Progress, int AnswersWanted);

public sealed record ItemPage(IReadOnlyList<ItemRow> Items, int Total);

public sealed class ListItemsValidator : AbstractValidator<ListItems>
{
    public ListItemsValidator()
    {
        RuleFor(q => q.Page).GreaterThanOrEqualTo(0)
            .WithMessage(_ => Texts.T("Le numéro de page commence à 0.", "Page numbers start at 0."));
        RuleFor(q => q.PageSize).InclusiveBetween(0, 500)
            .WithMessage(_ => Texts.T("Une page montre de 0 à 500 éléments.", "A page shows 0 to 500 items."));
    }
}

public sealed class ListItemsHandler(IQuerySession session) : IQueryHandler<ListItems, ItemPage>
{
    public async ValueTask<ItemPage> Handle(ListItems query, CancellationToken cancellationToken)
    {
        var project = await session.LoadOwnedAsync(query.ProjectId, query.OwnerId, cancellationToken);
        var size = query.PageSize == 0 ? 50 : query.PageSize;
        var total = await session.Query<Item>().CountAsync(i => i.ProjectId == project.Id, cancellationToken);
        var items = await session.Query<Item>()
            .Where(i => i.ProjectId == project.Id)
            .OrderBy(i => i.CreatedAt).ThenBy(i => i.FileName)
            .Skip(query.Page * size).Take(size)
            .ToListAsync(cancellationToken);
        var progress = (await session.LoadManyAsync<ItemProgress>(cancellationToken, items.Select(i => i.Id)))
            .ToDictionary(p => p.Id);
        return new ItemPage(
            items.Select(i => new ItemRow(i, progress.GetValueOrDefault(i.Id), project.Settings.AnswersPerItem)).ToList(),
            total);
    }
}
