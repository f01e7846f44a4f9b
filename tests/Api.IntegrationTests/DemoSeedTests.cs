using System.Net;
using System.Security.Cryptography;
using CoConstruisons.Application.Demo;
using CoConstruisons.Domain.Items;
using Marten;
using Mediator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CoConstruisons.Api.IntegrationTests;

[Collection(nameof(ApiCollection))]
public sealed class DemoSeedTests(ApiFixture api)
{
    [Fact]
    public async Task Starting_again_on_a_database_whose_image_folder_is_gone_puts_the_demo_images_back()
    {
        List<Item> items;
        string storage;
        await using (var scope = api.Services.CreateAsyncScope())
        {
            items = [.. await scope.ServiceProvider.GetRequiredService<IQuerySession>().Query<Item>().Where(i => i.ProjectId == api.DemoProjectId).ToListAsync()];
            storage = Path.Combine(scope.ServiceProvider.GetRequiredService<IConfiguration>()["Storage:Path"]!, "images");
        }

        Assert.Equal(8, items.Count);
        using var http = new HttpClient { BaseAddress = api.WebUrl };

        // A new checkout: the database keeps the project, the image folder has none of its files.
        foreach (var item in items)
        {
            foreach (var file in Directory.GetFiles(Path.Combine(storage, item.ContentHash[..2]), item.ContentHash + ".*"))
            {
                File.Delete(file);
            }
        }

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/images/{items[0].Id}")).StatusCode);

        SeededDemo seeded;
        await using (var scope = api.Services.CreateAsyncScope())
        {
            seeded = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new SeedDemo(ApiFixture.OwnerEmail, ApiFixture.OwnerPassword, 8));
        }

        Assert.False(seeded.Created);
        Assert.Equal(api.DemoProjectId, seeded.ProjectId);
        Assert.Equal(8, seeded.ImagesRestored);
        foreach (var item in items)
        {
            var original = await http.GetAsync($"/images/{item.Id}");
            Assert.Equal(HttpStatusCode.OK, original.StatusCode);
            Assert.Equal(item.ContentHash, Convert.ToHexStringLower(SHA256.HashData(await original.Content.ReadAsByteArrayAsync())));
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/images/{item.Id}/thumbnail")).StatusCode);
        }

        // With every image present, starting again restores nothing.
        await using (var scope = api.Services.CreateAsyncScope())
        {
            Assert.Equal(0, (await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new SeedDemo(ApiFixture.OwnerEmail, ApiFixture.OwnerPassword, 8))).ImagesRestored);
        }
    }
}
