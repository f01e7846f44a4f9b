// Every string the portal shows, in French (default) and English. Placeholders are written {name}.

export type Lang = "fr" | "en";

export const LANGS: readonly Lang[] = ["fr", "en"];
const STORAGE_KEY = "coco.lang";

const fr = {
  "app.name": "Co-construisons",
  "app.tagline": "Des images étiquetées ensemble, pour une IA d'intérêt public",
  "app.skip": "Aller au contenu",
  "app.loading": "Chargement…",
  "app.notFound": "Cette page n'existe pas.",
  "app.backHome": "Retour à l'accueil",
  "nav.main": "Navigation principale",
  "nav.projects": "Mes projets",
  "nav.signOut": "Se déconnecter",
  "lang.switch": "English",
  "lang.switchLabel": "Switch to English",

  "error.network": "Le serveur ne répond pas. Vérifiez votre connexion puis réessayez.",
  "error.unknown": "Une erreur inattendue s'est produite. Réessayez.",
  "error.sessionExpired": "Votre session a expiré : reconnectez-vous.",

  "signin.title": "Connexion des porteurs de projet",
  "signin.intro": "Connectez-vous pour créer des projets, déposer des images et suivre les réponses.",
  "signin.email": "Adresse e-mail",
  "signin.password": "Mot de passe",
  "signin.submit": "Se connecter",
  "signin.busy": "Connexion…",
  "signin.contributorHint": "Vous voulez contribuer ? Ouvrez le lien public d'un projet : aucun compte n'est nécessaire.",

  "projects.title": "Mes projets",
  "projects.new": "Nouveau projet",
  "projects.empty": "Vous n'avez pas encore de projet. Créez-en un pour commencer.",
  "projects.images": "{count} images",
  "projects.progress": "{answers} réponses sur {wanted} attendues",
  "projects.completed": "{done} images terminées sur {total}",
  "projects.open": "Ouvrir le projet « {title} »",

  "form.required": "obligatoire",
  "form.busy": "Enregistrement…",
  "form.errorsTitle": "Le formulaire contient des erreurs :",

  "create.title": "Nouveau projet",
  "create.intro": "Décrivez ce que vous voulez faire étiqueter. Vous pourrez déposer les images ensuite.",
  "create.projectTitle": "Titre du projet",
  "create.description": "Description",
  "create.descriptionHint": "Affichée aux contributeurs : pourquoi ce projet, à quoi serviront les réponses.",
  "create.question": "Question posée pour chaque image",
  "create.questionPlaceholder": "Dans quel sens est orienté ce toit ?",
  "create.choices": "Réponses possibles (de 2 à 10)",
  "create.choiceLabel": "Réponse {n}",
  "create.choiceAdd": "Ajouter une réponse",
  "create.choiceRemove": "Retirer la réponse {n}",
  "create.choiceUp": "Monter la réponse {n}",
  "create.choiceDown": "Descendre la réponse {n}",
  "create.choicesCount": "{count} réponses sur 10 au plus",
  "create.allowDontKnow": "Proposer « Je ne sais pas »",
  "create.instructions": "Consignes pour les contributeurs",
  "create.instructionsHint": "Comment reconnaître chaque réponse, les pièges à éviter.",
  "create.answersPerItem": "Nombre de réponses voulues par image",
  "create.submit": "Créer le projet",
  "create.cancel": "Annuler",

  "project.back": "← Mes projets",
  "project.question": "Question : {question}",
  "project.progress": "Avancement",
  "project.progressLabel": "Avancement du projet",
  "project.owners": "Porteurs du projet",
  "project.publicLink": "Page publique d'étiquetage",
  "project.publicLinkHint": "Partagez ce lien : les contributeurs n'ont pas besoin de compte.",
  "project.copyLink": "Copier le lien",
  "project.copied": "Lien copié.",
  "project.choicesList": "Réponses possibles : {choices}",
  "project.dontKnowAllowed": "« Je ne sais pas » est proposé.",

  "upload.title": "Déposer des images",
  "upload.hint": "Choisissez des images (JPEG, PNG, WebP…) ou une seule archive .zip. Les doublons sont détectés. Avec un manifeste .csv (une colonne « image » : chemin du fichier ou adresse http(s) ; les autres colonnes deviennent des métadonnées), une image par ligne.",
  "upload.input": "Fichiers à déposer",
  "upload.drop": "…ou glissez-déposez vos fichiers ici",
  "upload.sending": "Envoi de {count} fichier(s)… {percent} %",
  "upload.processing": "Traitement par le serveur…",
  "upload.done": "Envoi terminé : {added} ajoutée(s), {duplicates} doublon(s), {rejected} refusée(s).",
  "upload.added": "Ajoutées ({count})",
  "upload.duplicates": "Doublons ({count})",
  "upload.rejected": "Refusées ({count})",
  "upload.badRows": "Lignes illisibles du manifeste ({count})",
  "upload.badRow": "ligne {line} — {reason}",
  "upload.failed": "L'envoi a échoué : {message}",
  "upload.progressLabel": "Progression de l'envoi",
  "upload.tooBig": "Envoi trop volumineux.",

  "items.title": "Images",
  "items.empty": "Aucune image pour l'instant.",
  "items.answers": "{answers}/{wanted} réponses",
  "items.label": "Étiquette : {label}",
  "items.noLabel": "Pas encore d'étiquette",
  "items.page": "Page {page} sur {pages}",
  "items.previous": "Page précédente",
  "items.next": "Page suivante",
  "items.thumbAlt": "Miniature de {name}",
  "items.total": "{total} images",

  "export.title": "Exporter les réponses",
  "export.hint": "Une ligne par réponse (CSV) ou un document par image (JSON), avec l'étiquette actuelle.",
  "export.csv": "Exporter en CSV",
  "export.json": "Exporter en JSON",
  "export.busy": "Préparation de l'export…",
  "export.done": "Export prêt : {file}",

  "coowner.title": "Ajouter un co-porteur",
  "coowner.hint": "La personne doit déjà avoir un compte de porteur de projet.",
  "coowner.email": "Adresse e-mail du co-porteur",
  "coowner.submit": "Ajouter",
  "coowner.added": "{email} peut désormais gérer ce projet.",

  "label.loadingTask": "Chargement de l'image suivante…",
  "label.consentTitle": "Avant de commencer",
  "label.consentIntro": "Votre participation est volontaire et pseudonyme. Voici ce qu'il faut savoir :",
  "label.consentPseudonymous": "Pas de compte, ni nom, ni adresse e-mail : un identifiant aléatoire (pseudonyme) est créé pour cette session, et seul ce pseudonyme accompagne vos réponses.",
  "label.consentStored": "Ce qui est enregistré : vos réponses, le temps mis pour répondre, la date et ce pseudonyme. Les réponses servent à étiqueter les images du projet et à entraîner un modèle d'intelligence artificielle d'intérêt public.",
  "label.consentStop": "Vous pouvez arrêter quand vous voulez : fermez simplement la page. Votre navigateur oublie le pseudonyme à la fermeture de l'onglet ; les réponses déjà données restent dans le projet.",
  "label.consentVersion": "Notice de consentement, version {version}.",
  "label.consentAccept": "J'accepte et je commence",
  "label.questionIs": "Question : {question}",
  "label.instructions": "Consignes",
  "label.imageAlt": "Image à étiqueter",
  "label.myAnswers": "Mes réponses : {count}",
  "label.remaining": "Images restantes dans le projet : {count}",
  "label.dontKnow": "Je ne sais pas",
  "label.skip": "Passer",
  "label.keyboardHint": "Raccourcis clavier : touches 1 à 9 pour les réponses, 0 ou D pour « Je ne sais pas ».",
  "label.keyboardHintNoDontKnow": "Raccourcis clavier : touches 1 à 9 pour les réponses.",
  "label.sending": "Envoi de votre réponse…",
  "label.saved": "Réponse enregistrée. Image suivante.",
  "label.skipped": "Image passée.",
  "label.feedback": "Le saviez-vous ? {feedback}",
  "label.thanksTitle": "Merci !",
  "label.thanksText": "Il n'y a plus d'image à vous proposer dans ce projet pour le moment.",
  "label.busy": "Les images restantes sont en train d'être étiquetées par d'autres personnes. Nouvel essai dans {seconds} s…",
  "label.thanksCount": "Vous avez donné {count} réponse(s). Merci pour votre contribution.",
  "label.retry": "Réessayer",
} as const;

export type MessageKey = keyof typeof fr;

const en: Record<MessageKey, string> = {
  "app.name": "Co-construisons",
  "app.tagline": "Images labelled together, for public-interest AI",
  "app.skip": "Skip to content",
  "app.loading": "Loading…",
  "app.notFound": "This page does not exist.",
  "app.backHome": "Back to the home page",
  "nav.main": "Main navigation",
  "nav.projects": "My projects",
  "nav.signOut": "Sign out",
  "lang.switch": "Français",
  "lang.switchLabel": "Passer en français",

  "error.network": "The server does not answer. Check your connection and try again.",
  "error.unknown": "Something unexpected went wrong. Please try again.",
  "error.sessionExpired": "Your session has expired: please sign in again.",

  "signin.title": "Project owners' sign-in",
  "signin.intro": "Sign in to create projects, upload images and follow the answers.",
  "signin.email": "Email address",
  "signin.password": "Password",
  "signin.submit": "Sign in",
  "signin.busy": "Signing in…",
  "signin.contributorHint": "Want to contribute? Open a project's public link: no account is needed.",

  "projects.title": "My projects",
  "projects.new": "New project",
  "projects.empty": "You have no project yet. Create one to start.",
  "projects.images": "{count} images",
  "projects.progress": "{answers} answers out of {wanted} wanted",
  "projects.completed": "{done} of {total} images done",
  "projects.open": "Open project \"{title}\"",

  "form.required": "required",
  "form.busy": "Saving…",
  "form.errorsTitle": "The form has errors:",

  "create.title": "New project",
  "create.intro": "Describe what you want labelled. You can upload the images next.",
  "create.projectTitle": "Project title",
  "create.description": "Description",
  "create.descriptionHint": "Shown to contributors: why this project, what the answers will be used for.",
  "create.question": "Question asked for each image",
  "create.questionPlaceholder": "Which way does this roof face?",
  "create.choices": "Possible answers (2 to 10)",
  "create.choiceLabel": "Answer {n}",
  "create.choiceAdd": "Add an answer",
  "create.choiceRemove": "Remove answer {n}",
  "create.choiceUp": "Move answer {n} up",
  "create.choiceDown": "Move answer {n} down",
  "create.choicesCount": "{count} answers, 10 at most",
  "create.allowDontKnow": "Offer \"I don't know\"",
  "create.instructions": "Instructions for contributors",
  "create.instructionsHint": "How to recognise each answer, pitfalls to avoid.",
  "create.answersPerItem": "Answers wanted per image",
  "create.submit": "Create the project",
  "create.cancel": "Cancel",

  "project.back": "← My projects",
  "project.question": "Question: {question}",
  "project.progress": "Progress",
  "project.progressLabel": "Project progress",
  "project.owners": "Project owners",
  "project.publicLink": "Public labelling page",
  "project.publicLinkHint": "Share this link: contributors need no account.",
  "project.copyLink": "Copy the link",
  "project.copied": "Link copied.",
  "project.choicesList": "Possible answers: {choices}",
  "project.dontKnowAllowed": "\"I don't know\" is offered.",

  "upload.title": "Upload images",
  "upload.hint": "Choose images (JPEG, PNG, WebP…) or a single .zip archive. Duplicates are detected. With a .csv manifest (an \"image\" column: file path or http(s) address; the other columns become metadata), one image per row.",
  "upload.input": "Files to upload",
  "upload.drop": "…or drag and drop your files here",
  "upload.sending": "Sending {count} file(s)… {percent} %",
  "upload.processing": "The server is processing the files…",
  "upload.done": "Upload finished: {added} added, {duplicates} duplicate(s), {rejected} rejected.",
  "upload.added": "Added ({count})",
  "upload.duplicates": "Duplicates ({count})",
  "upload.rejected": "Rejected ({count})",
  "upload.badRows": "Unreadable manifest rows ({count})",
  "upload.badRow": "line {line} — {reason}",
  "upload.failed": "The upload failed: {message}",
  "upload.progressLabel": "Upload progress",
  "upload.tooBig": "Upload too large.",

  "items.title": "Images",
  "items.empty": "No image yet.",
  "items.answers": "{answers}/{wanted} answers",
  "items.label": "Label: {label}",
  "items.noLabel": "No label yet",
  "items.page": "Page {page} of {pages}",
  "items.previous": "Previous page",
  "items.next": "Next page",
  "items.thumbAlt": "Thumbnail of {name}",
  "items.total": "{total} images",

  "export.title": "Export the answers",
  "export.hint": "One row per answer (CSV) or one document per image (JSON), with the current label.",
  "export.csv": "Export as CSV",
  "export.json": "Export as JSON",
  "export.busy": "Preparing the export…",
  "export.done": "Export ready: {file}",

  "coowner.title": "Add a co-owner",
  "coowner.hint": "The person must already have a project owner account.",
  "coowner.email": "Co-owner's email address",
  "coowner.submit": "Add",
  "coowner.added": "{email} can now manage this project.",

  "label.loadingTask": "Loading the next image…",
  "label.consentTitle": "Before you start",
  "label.consentIntro": "Taking part is voluntary and pseudonymous. Here is what you should know:",
  "label.consentPseudonymous": "No account, no name, no email address: a random identifier (pseudonym) is created for this session, and only this pseudonym goes with your answers.",
  "label.consentStored": "What is stored: your answers, the time you took to answer, the date and this pseudonym. The answers label the project's images and train a public-interest artificial intelligence model.",
  "label.consentStop": "You can stop whenever you like: just close the page. Your browser forgets the pseudonym when the tab is closed; the answers already given stay in the project.",
  "label.consentVersion": "Consent notice, version {version}.",
  "label.consentAccept": "I accept and start",
  "label.questionIs": "Question: {question}",
  "label.instructions": "Instructions",
  "label.imageAlt": "Image to label",
  "label.myAnswers": "My answers: {count}",
  "label.remaining": "Images left in the project: {count}",
  "label.dontKnow": "I don't know",
  "label.skip": "Skip",
  "label.keyboardHint": "Keyboard shortcuts: keys 1 to 9 for the answers, 0 or D for \"I don't know\".",
  "label.keyboardHintNoDontKnow": "Keyboard shortcuts: keys 1 to 9 for the answers.",
  "label.sending": "Sending your answer…",
  "label.saved": "Answer saved. Next image.",
  "label.skipped": "Image skipped.",
  "label.feedback": "Did you know? {feedback}",
  "label.thanksTitle": "Thank you!",
  "label.thanksText": "There is no image left for you in this project for now.",
  "label.busy": "The remaining images are being labelled by other people right now. Trying again in {seconds} s…",
  "label.thanksCount": "You gave {count} answer(s). Thank you for your contribution.",
  "label.retry": "Try again",
};

export const dictionaries: Readonly<Record<Lang, Readonly<Record<MessageKey, string>>>> = { fr, en };

/** The placeholders ({name}) a message uses, sorted: both languages must use the same ones. */
export function placeholders(message: string): string[] {
  return [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "").sort();
}

/** Fills {name} placeholders; a missing value leaves the placeholder visible rather than hiding text. */
export function format(message: string, params?: Readonly<Record<string, string | number>>): string {
  if (!params) {
    return message;
  }
  return message.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

export function isLang(value: unknown): value is Lang {
  return value === "fr" || value === "en";
}

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // storage disabled (privacy settings): the choice simply isn't kept
  }
}

let current: Lang = (() => {
  const saved = storage()?.getItem(STORAGE_KEY);
  return isLang(saved) ? saved : "fr";
})();

export function getLang(): Lang {
  return current;
}

export function setLang(lang: Lang): void {
  current = lang;
  try {
    storage()?.setItem(STORAGE_KEY, lang);
  } catch {
    // quota or privacy mode: the choice lasts for this page only
  }
  if (typeof document !== "undefined") {
    document.documentElement.lang = lang;
  }
}

export function otherLang(lang: Lang = current): Lang {
  return lang === "fr" ? "en" : "fr";
}

export function t(key: MessageKey, params?: Readonly<Record<string, string | number>>, lang: Lang = current): string {
  return format(dictionaries[lang][key], params);
}
