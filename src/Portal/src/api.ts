import { createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { AuthService } from "./gen/coconstruisons/v1/auth_pb";
import { CampaignService } from "./gen/coconstruisons/v1/campaigns_pb";
import { ContributorService } from "./gen/coconstruisons/v1/contributors_pb";
import { ExperimentService } from "./gen/coconstruisons/v1/experiments_pb";
import { ImportService } from "./gen/coconstruisons/v1/imports_pb";
import { ModelService } from "./gen/coconstruisons/v1/models_pb";
import { ProjectService } from "./gen/coconstruisons/v1/projects_pb";
import { TaskService } from "./gen/coconstruisons/v1/tasks_pb";
import { getLang } from "./i18n";
import { getOwner } from "./session";

/** The Api localizes its messages from accept-language: follow the language the user picked. */
const language: Interceptor = (next) => (req) => {
  req.header.set("accept-language", getLang());
  return next(req);
};

/** Owner calls carry the bearer token from sign-in. */
const ownerAuth: Interceptor = (next) => (req) => {
  const owner = getOwner();
  if (owner) {
    req.header.set("authorization", `Bearer ${owner.token}`);
  }
  return next(req);
};

const baseUrl = typeof window !== "undefined" ? window.location.origin : "http://127.0.0.1:8000";

// Contributors' calls never carry the owner's token, even when an owner tests their own public page.
const publicTransport = createGrpcWebTransport({ baseUrl, interceptors: [language] });
const ownerTransport = createGrpcWebTransport({ baseUrl, interceptors: [language, ownerAuth] });

export const auth = createClient(AuthService, publicTransport);
export const projects = createClient(ProjectService, ownerTransport);
export const contributors = createClient(ContributorService, publicTransport);
export const tasks = createClient(TaskService, publicTransport);
// Campaign settings (GetCampaign/UpdateCampaign) are owner calls; the gateway-only RPCs are not used here.
export const campaigns = createClient(CampaignService, ownerTransport);
// Researchers' experiments: owner accounts with the researcher role.
export const experiments = createClient(ExperimentService, ownerTransport);
// Background imports (tile imports from a GeoJSON): owner calls.
export const imports = createClient(ImportService, ownerTransport);
// The model loop (train on demand, versions and metrics, auto-label target): owner calls.
export const models = createClient(ModelService, ownerTransport);
