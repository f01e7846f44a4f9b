using CoConstruisons.Application.Tasks;
using CoConstruisons.Domain.Assignment;
using CoConstruisons.Domain.Campaigns;
using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Contributors;
using CoConstruisons.Domain.Items;
using CoConstruisons.Domain.Owners;
using CoConstruisons.Domain.Projects;
using CoConstruisons.Infrastructure.EventStore.Projections;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Weasel.Core;

namespace CoConstruisons.Infrastructure.EventStore;

/// <summary>Documents, events and projections stored in PostgreSQL by Marten.</summary>
public static class MartenRegistration
{
    public static void Configure(StoreOptions opts, string connectionString, string schema)
    {
        opts.Connection(connectionString);
        opts.DatabaseSchemaName = schema;
        opts.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString);
        opts.Events.StreamIdentity = StreamIdentity.AsGuid;

        opts.Schema.For<Owner>().UniqueIndex(o => o.Email);
        opts.Schema.For<Project>();
        opts.Schema.For<Item>().Index(i => i.ProjectId).UniqueIndex(i => i.ProjectId, i => i.ContentHash);
        opts.Schema.For<Contributor>().Identity(c => c.Id);
        opts.Schema.For<AnswerReceipt>().Identity(r => r.Id);
        // Candidates come from each node's copy of the open items (CandidateCache), not from a query
        // sorted in PostgreSQL: no index on the assignment order, which every answer would update.
        // Every answer rewrites its item's progress and its contributor's progress, and most take a
        // lease: these rows are updated in place (PostgreSQL "HOT" updates, no new index entries) when
        // no indexed value changes and their page has room. So the project id is a column of its own
        // (an index on an expression of `data` made every update a new index entry), and their pages
        // are left partly empty (docs/assignment.md, "Stop 17").
        opts.Schema.For<ItemProgress>().Duplicate(p => p.ProjectId).FillFactor(70);
        opts.Schema.For<ContributorProgress>().Identity(p => p.Id).FillFactor(50);
        opts.Schema.For<ItemLease>().UseOptimisticConcurrency(true).FillFactor(70);
        opts.Schema.For<CoConstruisons.Application.Images.TileImportJobs.TileImportJob>().UseOptimisticConcurrency(true).Index(j => j.ProjectId);
        opts.Schema.For<CoConstruisons.Application.Images.TileImportJobs.TileImportInput>();

        opts.Events.AddEventType<ItemAdded>();
        opts.Events.AddEventType<AnswerSubmitted>();
        opts.Events.AddEventType<AnswerSkipped>();
        opts.Events.AddEventType<GoldAnswerSet>();
        opts.Events.AddEventType<ItemRetired>();
        opts.Events.AddEventType<ItemBeliefUpdated>();
        opts.Events.AddEventType<ConsensusRefitted>();
        opts.Schema.For<CoConstruisons.Application.Consensus.ProjectConsensus>();
        opts.Events.AddEventType<CoConstruisons.Domain.Models.ModelTrained>();
        opts.Events.AddEventType<CoConstruisons.Domain.Models.ItemPredicted>();
        opts.Events.AddEventType<CoConstruisons.Domain.Models.ItemMachineLabelled>();
        opts.Schema.For<CoConstruisons.Application.Models.ModelVersion>().UniqueIndex(v => v.ProjectId, v => v.Number);
        opts.Schema.For<CoConstruisons.Application.Models.ModelTrainingRun>().Index(r => r.ProjectId);
        opts.Schema.For<CoConstruisons.Infrastructure.Experiments.StoredExperiment>().Identity(e => e.Id);
        opts.Events.AddEventType<CoConstruisons.Domain.Experiments.ExperimentDefined>();
        opts.Events.AddEventType<CoConstruisons.Domain.Experiments.ExperimentAllocationChanged>();
        opts.Events.AddEventType<CoConstruisons.Domain.Experiments.ExperimentStarted>();
        opts.Events.AddEventType<CoConstruisons.Domain.Experiments.ExperimentStopped>();
        opts.Events.AddEventType<CoConstruisons.Domain.Experiments.ExperimentExposure>();

        opts.Schema.For<Campaign>().Identity(c => c.Id);
        opts.Schema.For<Engagement>().Index([e => e.ProjectId, e => e.Channel]);
        opts.Events.AddEventType<ContributorInvited>();
        opts.Events.AddEventType<ConsentRecorded>();
        opts.Events.AddEventType<ConsentDeclined>();
        opts.Events.AddEventType<ContributorOptedOut>();
        opts.Events.AddEventType<NudgeSent>();
        opts.Projections.Add<EngagementProjection>(ProjectionLifecycle.Inline);

        // Read by the next answer's checks and by every node's candidate copy: kept in the same transaction as the event.
        opts.Projections.Add<ItemProgressProjection>(ProjectionLifecycle.Inline);
    }
}
