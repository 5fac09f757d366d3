-- CreateTable
CREATE TABLE "artifact_blobs" (
    "id" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "storage" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "artifact_blobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "artifact_blob_chunks" (
    "blob_id" TEXT NOT NULL,
    "idx" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "artifact_blob_chunks_pkey" PRIMARY KEY ("blob_id","idx")
);

-- CreateTable
CREATE TABLE "artifacts" (
    "id" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "project_id" TEXT,
    "path" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "blob_id" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "uploaded_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "artifacts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "artifact_blobs_client_id_sha256_key" ON "artifact_blobs"("client_id", "sha256");

-- CreateIndex
CREATE INDEX "artifacts_project_id_idx" ON "artifacts"("project_id");

-- CreateIndex
CREATE INDEX "artifacts_blob_id_idx" ON "artifacts"("blob_id");

-- CreateIndex
CREATE INDEX "artifacts_uploaded_by_idx" ON "artifacts"("uploaded_by");

-- CreateIndex
CREATE UNIQUE INDEX "artifacts_client_id_project_id_path_version_key" ON "artifacts"("client_id", "project_id", "path", "version");

-- AddForeignKey
ALTER TABLE "artifact_blobs" ADD CONSTRAINT "artifact_blobs_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "artifact_blob_chunks" ADD CONSTRAINT "artifact_blob_chunks_blob_id_fkey" FOREIGN KEY ("blob_id") REFERENCES "artifact_blobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "artifacts" ADD CONSTRAINT "artifacts_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "artifacts" ADD CONSTRAINT "artifacts_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "artifacts" ADD CONSTRAINT "artifacts_blob_id_fkey" FOREIGN KEY ("blob_id") REFERENCES "artifact_blobs"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "artifacts" ADD CONSTRAINT "artifacts_uploaded_by_fkey" FOREIGN KEY ("uploaded_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
